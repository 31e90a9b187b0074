package org.lafsrepair.backend.s3;

import org.lafsrepair.spi.ServerUnavailableException;

/**
 * S3 answered 403: the credentials are missing, wrong, or not allowed to touch the bucket. It is
 * a {@link ServerUnavailableException} because, to a caller, the server cannot be used until an
 * operator fixes the credentials or the bucket policy; retrying will not help.
 */
public class S3AccessDeniedException extends ServerUnavailableException {
  private static final long serialVersionUID = 1L;

  public S3AccessDeniedException(String message, Throwable cause) {
    super(message, cause);
  }
}
