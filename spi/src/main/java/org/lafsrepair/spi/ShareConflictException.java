package org.lafsrepair.spi;

/** The request conflicts with the server's state: the share already exists (reported at allocate or, at the latest, at commit) or is being uploaded, overlapping writes differ, a write lies past the allocated size, or the upload was already committed or aborted. */
public class ShareConflictException extends StorageException {
  private static final long serialVersionUID = 1L;

  public ShareConflictException(String message) {
    super(message);
  }

  public ShareConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
