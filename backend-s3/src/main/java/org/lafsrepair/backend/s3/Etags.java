package org.lafsrepair.backend.s3;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * S3's ETags for plainly encrypted objects (SSE-S3 or none): the MD5 of a single-PUT body, or, for
 * a multipart object, the MD5 of the concatenated part MD5s followed by "-partcount". Used only to
 * recognise our own write after a lost response: when the SDK retried a conditional request whose
 * first attempt had in fact succeeded, the retry fails its condition, and the object's ETag tells
 * whether what is there now is exactly what we sent.
 */
final class Etags {
  private Etags() {}

  static String normalise(String etag) {
    if (etag == null) {
      return "";
    }
    String e = etag.trim();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e.toLowerCase(Locale.ROOT);
  }

  static String ofBytes(byte[] bytes) {
    return HexFormat.of().formatHex(md5().digest(bytes));
  }

  /** Null if a part ETag is not a plain MD5 (then the object's ETag cannot be predicted). */
  static String ofParts(List<String> partEtags) {
    MessageDigest all = md5();
    for (String p : partEtags) {
      String hex = normalise(p);
      if (hex.length() != 32) {
        return null;
      }
      try {
        all.update(HexFormat.of().parseHex(hex));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return HexFormat.of().formatHex(all.digest()) + "-" + partEtags.size();
  }

  /** Whether the SDK sent the request more than once (so a 412 may be our own first attempt). */
  static boolean retried(SdkException e) {
    Integer n = e.numAttempts();
    return n != null && n > 1;
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JDK", e);
    }
  }
}
