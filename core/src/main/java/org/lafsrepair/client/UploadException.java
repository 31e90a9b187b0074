package org.lafsrepair.client;

/**
 * An upload could not be completed: the plaintext could not be read, or the grid could not take
 * the shares with the required servers-of-happiness. Nothing visible was left behind.
 */
public final class UploadException extends Exception {
  private static final long serialVersionUID = 1L;

  public UploadException(String message) {
    super(message);
  }

  public UploadException(String message, Throwable cause) {
    super(message, cause);
  }
}
