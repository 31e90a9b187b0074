package org.lafsrepair.client;

/**
 * A download failed. {@link #unrecoverable()} says whether too few good shares exist (the file
 * cannot be read from this grid) as opposed to a failure reading or writing.
 */
public final class DownloadException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean unrecoverable;

  public DownloadException(String message, boolean unrecoverable) {
    super(message);
    this.unrecoverable = unrecoverable;
  }

  public DownloadException(String message, boolean unrecoverable, Throwable cause) {
    super(message, cause);
    this.unrecoverable = unrecoverable;
  }

  public boolean unrecoverable() {
    return unrecoverable;
  }
}
