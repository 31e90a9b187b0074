package org.lafsrepair.spi;

/** A mutable write presented a write enabler that does not match the one stored with the slot; nothing was changed. */
public class WriteEnablerMismatchException extends StorageException {
  private static final long serialVersionUID = 1L;

  public WriteEnablerMismatchException(String message) {
    super(message);
  }

  public WriteEnablerMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
