package org.lafsrepair.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Tahoe's tagged hashes (tahoe-formats.md §1.3): {@code SHA256d(m) = SHA256(SHA256(m))},
 * {@code H(tag; x) = SHA256d(ns(tag) || x)}, {@code H2(tag; a, b) = SHA256d(ns(tag) || ns(a) ||
 * ns(b))}. Stateless and thread-safe.
 */
public final class Hashes {
  // Tags, exact ASCII as Tahoe spells them.
  public static final String TAG_CHK_KEY_TO_SI = "allmydata_immutable_key_to_storage_index_v1";
  public static final String TAG_CHK_CONTENT_TO_KEY =
      "allmydata_immutable_content_to_key_with_added_secret_v1+";
  public static final String TAG_BLOCK = "allmydata_encoded_subshare_v1";
  public static final String TAG_UEB = "allmydata_uri_extension_v1";
  public static final String TAG_CRYPTTEXT_SEGMENT = "allmydata_crypttext_segment_v1";
  public static final String TAG_CRYPTTEXT = "allmydata_crypttext_v1";
  public static final String TAG_PLAINTEXT_SEGMENT = "allmydata_plaintext_segment_v1";
  public static final String TAG_PLAINTEXT = "allmydata_plaintext_v1";
  public static final String TAG_EMPTY_LEAF = "Merkle tree empty leaf";
  public static final String TAG_INTERNAL_NODE = "Merkle tree internal node";
  public static final String TAG_PRIVKEY_TO_WRITEKEY = "allmydata_mutable_privkey_to_writekey_v1";
  public static final String TAG_WRITEKEY_TO_READKEY = "allmydata_mutable_writekey_to_readkey_v1";
  public static final String TAG_READKEY_TO_SI = "allmydata_mutable_readkey_to_storage_index_v1";
  public static final String TAG_PUBKEY_TO_FINGERPRINT = "allmydata_mutable_pubkey_to_fingerprint_v1";
  public static final String TAG_READKEY_TO_DATAKEY = "allmydata_mutable_readkey_to_datakey_v1";
  public static final String TAG_WRITEKEY_TO_WE_MASTER =
      "allmydata_mutable_writekey_to_write_enabler_master_v1";
  public static final String TAG_WE_MASTER_AND_NODEID_TO_WE =
      "allmydata_mutable_write_enabler_master_and_nodeid_to_write_enabler_v1";
  public static final String TAG_CLIENT_RENEWAL = "allmydata_client_renewal_secret_v1";
  public static final String TAG_CLIENT_CANCEL = "allmydata_client_cancel_secret_v1";
  public static final String TAG_FILE_RENEWAL = "allmydata_file_renewal_secret_v1";
  public static final String TAG_FILE_CANCEL = "allmydata_file_cancel_secret_v1";
  public static final String TAG_BUCKET_RENEWAL = "allmydata_bucket_renewal_secret_v1";
  public static final String TAG_BUCKET_CANCEL = "allmydata_bucket_cancel_secret_v1";
  public static final String TAG_MUTABLE_CONTAINER_HEADER = "allmydata_mutable_container_header";

  /** Length of a full hash. */
  public static final int HASH_LENGTH = 32;

  private Hashes() {}

  /** A fresh SHA-256 digest (the JDK always has one). */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
  }

  /** {@code decimal(len) ":" x ","} */
  public static byte[] netstring(byte[] x) {
    byte[] len = Integer.toString(x.length).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[len.length + 1 + x.length + 1];
    System.arraycopy(len, 0, out, 0, len.length);
    out[len.length] = ':';
    System.arraycopy(x, 0, out, len.length + 1, x.length);
    out[out.length - 1] = ',';
    return out;
  }

  /** Netstring of an ASCII string. */
  public static byte[] netstring(String ascii) {
    return netstring(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code SHA256(SHA256(m))}. */
  public static byte[] sha256d(byte[] m) {
    MessageDigest d = sha256();
    return d.digest(d.digest(m));
  }

  /** A SHA256d hasher pre-fed with {@code ns(tag)}; finish with {@link #finishSha256d}. */
  public static MessageDigest taggedDigest(String tag) {
    MessageDigest d = sha256();
    d.update(netstring(tag));
    return d;
  }

  /** Completes a double SHA-256 begun with {@link #taggedDigest}. */
  public static byte[] finishSha256d(MessageDigest d) {
    byte[] inner = d.digest();
    d.reset();
    return d.digest(inner);
  }

  /** {@code H(tag; x)}: 32 bytes. */
  public static byte[] tagged(String tag, byte[] x) {
    MessageDigest d = taggedDigest(tag);
    d.update(x);
    return finishSha256d(d);
  }

  /** {@code H(tag; x)[:n]}. */
  public static byte[] tagged(String tag, byte[] x, int n) {
    return Arrays.copyOf(tagged(tag, x), n);
  }

  /** {@code H2(tag; a, b) = SHA256d(ns(tag) || ns(a) || ns(b))}: 32 bytes. */
  public static byte[] tagged2(String tag, byte[] a, byte[] b) {
    MessageDigest d = taggedDigest(tag);
    d.update(netstring(a));
    d.update(netstring(b));
    return finishSha256d(d);
  }

  /**
   * {@code H(key; x)} where the "tag" is raw bytes (Tahoe's client lease secrets swap the
   * arguments: the secret is the tag).
   */
  public static byte[] taggedWithBytes(byte[] tag, byte[] x) {
    MessageDigest d = sha256();
    d.update(netstring(tag));
    d.update(x);
    return finishSha256d(d);
  }
}
