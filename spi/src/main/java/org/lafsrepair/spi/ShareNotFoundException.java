package org.lafsrepair.spi;

/** The requested share (or upload) does not exist on this server. */
public class ShareNotFoundException extends StorageException {
  private static final long serialVersionUID = 1L;

  public ShareNotFoundException(String message) {
    super(message);
  }

  public ShareNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
