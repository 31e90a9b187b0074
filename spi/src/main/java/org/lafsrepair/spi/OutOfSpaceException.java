package org.lafsrepair.spi;

/** The server has no room for the allocation or write; nothing visible was changed. */
public class OutOfSpaceException extends StorageException {
  private static final long serialVersionUID = 1L;

  public OutOfSpaceException(String message) {
    super(message);
  }

  public OutOfSpaceException(String message, Throwable cause) {
    super(message, cause);
  }
}
