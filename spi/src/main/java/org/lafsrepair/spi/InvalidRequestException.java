package org.lafsrepair.spi;

/** The request itself is malformed (negative offsets or lengths, oversized reads, bad secrets); nothing was changed. */
public class InvalidRequestException extends StorageException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
