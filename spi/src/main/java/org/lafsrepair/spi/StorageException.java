package org.lafsrepair.spi;

/**
 * Base of every failure a {@link StorageServer} reports. Checked, because a caller talking to
 * storage must decide what a failed server means for its work. Subclasses say what went wrong.
 */
public class StorageException extends Exception {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
