package org.lafsrepair.backend.s3;

import java.io.InterruptedIOException;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.ServerUnavailableException;
import org.lafsrepair.spi.ShareConflictException;
import org.lafsrepair.spi.ShareNotFoundException;
import org.lafsrepair.spi.StorageException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Translates SDK failures (already retried by the SDK where retrying makes sense) to the SPI's. */
final class S3Errors {
  private S3Errors() {}

  static boolean isStatus(SdkException e, int status) {
    return e instanceof S3Exception s && s.statusCode() == status;
  }

  /** 412, or 409 ConditionalRequestConflict: another writer got there first. */
  static boolean isPreconditionFailure(SdkException e) {
    return isStatus(e, 412) || isStatus(e, 409);
  }

  static boolean isNotFound(SdkException e) {
    return isStatus(e, 404) && !isNoSuchBucket(e);
  }

  private static boolean isNoSuchBucket(SdkException e) {
    return e instanceof S3Exception s
        && s.awsErrorDetails() != null
        && "NoSuchBucket".equals(s.awsErrorDetails().errorCode());
  }

  /**
   * Maps {@code e}, raised while doing {@code what} (a sentence fragment naming the object), to
   * the SPI exception a caller can act on.
   */
  static StorageException map(String what, SdkException e) {
    if (e instanceof AbortedException || e.getCause() instanceof InterruptedIOException) {
      Thread.currentThread().interrupt();
      return new ServerUnavailableException(what + ": interrupted", e);
    }
    if (e instanceof S3Exception s) {
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String detail = " (HTTP " + status + (code == null ? "" : " " + code) + ")";
      if (isNoSuchBucket(e)) {
        return new ServerUnavailableException(what + ": the bucket does not exist" + detail, e);
      }
      switch (status) {
        case 404:
          return new ShareNotFoundException(what + ": not found" + detail, e);
        case 403:
          return new S3AccessDeniedException(
              what + ": access denied" + detail
                  + "; check the credentials and the bucket policy (s3:GetObject, s3:PutObject,"
                  + " s3:DeleteObject, s3:ListBucket, s3:AbortMultipartUpload are needed)",
              e);
        case 409:
        case 412:
          return new ShareConflictException(what + ": changed concurrently" + detail, e);
        case 400:
          if ("InvalidArgument".equals(code) || "InvalidRequest".equals(code)) {
            return new InvalidRequestException(what + ": rejected by S3" + detail, e);
          }
          return new StorageException(what + ": rejected by S3" + detail, e);
        default:
          if (status >= 500 || status == 429) {
            return new ServerUnavailableException(what + ": S3 unavailable" + detail, e);
          }
          return new StorageException(what + ": S3 error" + detail, e);
      }
    }
    if (e instanceof SdkClientException) {
      return new ServerUnavailableException(what + ": cannot reach S3: " + e.getMessage(), e);
    }
    return new StorageException(what + ": " + e.getMessage(), e);
  }
}
