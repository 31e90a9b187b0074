package org.lafsrepair.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import org.lafsrepair.spi.StorageIndex;

/**
 * CHK (immutable) key derivations of tahoe-formats.md §1.4: the storage index of a read key, and
 * the convergent encryption key. Stateless and thread-safe.
 */
public final class ChkKeys {
  /** Length of a CHK read key. */
  public static final int KEY_LENGTH = 16;

  private ChkKeys() {}

  /** {@code H(immutable_key_to_storage_index; key)[:16]}. */
  public static StorageIndex storageIndex(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("CHK key must be 16 bytes, got " + key.length);
    }
    return StorageIndex.of(Hashes.tagged(Hashes.TAG_CHK_KEY_TO_SI, key, StorageIndex.LENGTH));
  }

  /**
   * A digest to feed the whole plaintext into; finish it with {@link #finishConvergentKey}. The
   * tag is {@code content_to_key_tag ‖ ns(secret) ‖ ns("k,N,segsize")}, netstring-wrapped again as
   * a whole; {@code segmentSize} is the actual segment size (max segment size capped at the file
   * size and rounded up to a multiple of k).
   */
  public static MessageDigest convergentKeyDigest(
      byte[] convergenceSecret, int k, int n, long segmentSize) {
    Objects.requireNonNull(convergenceSecret, "convergenceSecret");
    if (k < 1 || n < k || n > 256 || segmentSize < 0) {
      throw new IllegalArgumentException(
          "bad encoding parameters k=" + k + " N=" + n + " segsize=" + segmentSize);
    }
    byte[] params = (k + "," + n + "," + segmentSize).getBytes(StandardCharsets.US_ASCII);
    byte[] prefix = Hashes.TAG_CHK_CONTENT_TO_KEY.getBytes(StandardCharsets.US_ASCII);
    byte[] secretNs = Hashes.netstring(convergenceSecret);
    byte[] paramsNs = Hashes.netstring(params);
    byte[] tag = new byte[prefix.length + secretNs.length + paramsNs.length];
    System.arraycopy(prefix, 0, tag, 0, prefix.length);
    System.arraycopy(secretNs, 0, tag, prefix.length, secretNs.length);
    System.arraycopy(paramsNs, 0, tag, prefix.length + secretNs.length, paramsNs.length);
    MessageDigest d = Hashes.sha256();
    d.update(Hashes.netstring(tag));
    return d;
  }

  /** The 16-byte convergent key from a digest begun with {@link #convergentKeyDigest}. */
  public static byte[] finishConvergentKey(MessageDigest digest) {
    return Arrays.copyOf(Hashes.finishSha256d(digest), KEY_LENGTH);
  }

  /** The convergent key of an in-memory plaintext. */
  public static byte[] convergentKey(
      byte[] convergenceSecret, int k, int n, long segmentSize, byte[] plaintext) {
    MessageDigest d = convergentKeyDigest(convergenceSecret, k, n, segmentSize);
    d.update(plaintext);
    return finishConvergentKey(d);
  }

  /** The actual CHK segment size: {@code next_multiple(min(maxSegmentSize, size), k)}. */
  public static long segmentSize(long size, long maxSegmentSize, int k) {
    long s = Math.min(maxSegmentSize, size);
    return (s + k - 1) / k * k;
  }
}
