package org.lafsrepair.spi;

/** The server could not be reached or did not answer in time; the request may or may not have been applied. */
public class ServerUnavailableException extends StorageException {
  private static final long serialVersionUID = 1L;

  public ServerUnavailableException(String message) {
    super(message);
  }

  public ServerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
