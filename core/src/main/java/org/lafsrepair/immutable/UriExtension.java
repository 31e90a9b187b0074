package org.lafsrepair.immutable;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lafsrepair.internal.crypto.Hashes;

/**
 * The URI extension block (UEB, tahoe-formats.md §4.4): {@code key ":" ns(value)} pairs with keys
 * sorted bytewise, integers in ASCII decimal, hashes as raw 32 bytes. The verify cap holds the
 * UEB's hash, so the exact bytes are kept as read. Immutable.
 *
 * <p>{@link #parse} accepts any well-formed block (unknown keys are kept, order is not enforced),
 * never trusting lengths; {@link #checkedGeometry} then checks the fields against the cap.
 */
public final class UriExtension {
  /** Tahoe's readers reject a UEB of 2000 bytes or more. */
  public static final int MAX_LENGTH = 1999;

  private static final int HASH = Hashes.HASH_LENGTH;

  private final SortedMap<String, byte[]> fields;
  private final byte[] encoded;

  private UriExtension(SortedMap<String, byte[]> fields, byte[] encoded) {
    this.fields = fields;
    this.encoded = encoded;
  }

  /** The UEB Tahoe writes for a file (its 11 fields). */
  public static UriExtension forFile(
      ChkGeometry g, byte[] crypttextHash, byte[] crypttextRootHash, byte[] shareRootHash) {
    TreeMap<String, byte[]> f = new TreeMap<>();
    f.put("codec_name", ascii("crs"));
    f.put("codec_params", ascii(g.codecParams()));
    f.put("crypttext_hash", checkHash(crypttextHash));
    f.put("crypttext_root_hash", checkHash(crypttextRootHash));
    f.put("needed_shares", ascii(Integer.toString(g.k())));
    f.put("num_segments", ascii(Integer.toString(g.numSegments())));
    f.put("segment_size", ascii(Integer.toString(g.segmentSize())));
    f.put("share_root_hash", checkHash(shareRootHash));
    f.put("size", ascii(Long.toString(g.size())));
    f.put("tail_codec_params", ascii(g.tailCodecParams()));
    f.put("total_shares", ascii(Integer.toString(g.n())));
    return of(f);
  }

  /** A UEB holding exactly these fields (keys must match {@code [a-zA-Z_-]+}). */
  public static UriExtension of(Map<String, byte[]> fields) {
    TreeMap<String, byte[]> f = new TreeMap<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : new TreeMap<>(fields).entrySet()) {
      if (!validKey(e.getKey())) {
        throw new IllegalArgumentException("bad UEB key " + e.getKey());
      }
      byte[] v = e.getValue().clone();
      f.put(e.getKey(), v);
      out.writeBytes(ascii(e.getKey()));
      out.write(':');
      out.writeBytes(Hashes.netstring(v));
    }
    return new UriExtension(Collections.unmodifiableSortedMap(f), out.toByteArray());
  }

  /**
   * Parses untrusted UEB bytes.
   *
   * @throws ShareFormatException (region {@link ShareRegion#URI_EXTENSION}) if malformed or too
   *     long
   */
  public static UriExtension parse(byte[] bytes) throws ShareFormatException {
    if (bytes.length > MAX_LENGTH) {
      throw corrupt("UEB is " + bytes.length + " bytes; at most " + MAX_LENGTH + " allowed");
    }
    TreeMap<String, byte[]> f = new TreeMap<>();
    int i = 0;
    while (i < bytes.length) {
      int colon = indexOf(bytes, (byte) ':', i);
      if (colon < 0) {
        throw corrupt("UEB key at " + i + " has no ':'");
      }
      String key = new String(bytes, i, colon - i, StandardCharsets.US_ASCII);
      if (!validKey(key)) {
        throw corrupt("UEB key at " + i + " is not [a-zA-Z_-]+");
      }
      int lenStart = colon + 1;
      int lenEnd = indexOf(bytes, (byte) ':', lenStart);
      if (lenEnd < 0 || lenEnd == lenStart || lenEnd - lenStart > 4) {
        throw corrupt("UEB field " + key + " has a bad length");
      }
      int len = 0;
      for (int j = lenStart; j < lenEnd; j++) {
        if (bytes[j] < '0' || bytes[j] > '9' || (j == lenStart && bytes[j] == '0' && lenEnd - lenStart > 1)) {
          throw corrupt("UEB field " + key + " has a bad length");
        }
        len = len * 10 + (bytes[j] - '0');
      }
      int valueStart = lenEnd + 1;
      if (len > bytes.length - valueStart - 1 || bytes[valueStart + len] != ',') {
        throw corrupt("UEB field " + key + " overruns the block or lacks its ','");
      }
      if (f.put(key, Arrays.copyOfRange(bytes, valueStart, valueStart + len)) != null) {
        throw corrupt("UEB field " + key + " appears twice");
      }
      i = valueStart + len + 1;
    }
    return new UriExtension(Collections.unmodifiableSortedMap(f), bytes.clone());
  }

  /** The exact bytes (copy). */
  public byte[] toBytes() {
    return encoded.clone();
  }

  public int length() {
    return encoded.length;
  }

  /** {@code H(uri_extension; UEB)}: what a CHK cap commits to. */
  public byte[] hash() {
    return Hashes.tagged(Hashes.TAG_UEB, encoded);
  }

  /** A field's raw value (copy), if present. */
  public Optional<byte[]> field(String key) {
    byte[] v = fields.get(key);
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }

  /** The field names, sorted. */
  public java.util.Set<String> keys() {
    return fields.keySet();
  }

  public byte[] crypttextHash() throws ShareFormatException {
    return hashField("crypttext_hash");
  }

  public byte[] crypttextRootHash() throws ShareFormatException {
    return hashField("crypttext_root_hash");
  }

  public byte[] shareRootHash() throws ShareFormatException {
    return hashField("share_root_hash");
  }

  /**
   * Checks every field Tahoe writes against the cap's k, N and size and returns the geometry they
   * describe: codec name {@code crs}, needed/total shares, size, segment size, segment count,
   * codec and tail codec parameters, and the three 32-byte hashes.
   *
   * @throws ShareFormatException naming the first inconsistent field
   */
  public ChkGeometry checkedGeometry(int k, int n, long size) throws ShareFormatException {
    requireText("codec_name", "crs");
    requireNumber("needed_shares", k);
    requireNumber("total_shares", n);
    requireNumber("size", size);
    long segsize = number("segment_size");
    ChkGeometry g;
    try {
      if (segsize > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("segment size " + segsize);
      }
      g = new ChkGeometry(k, n, size, (int) segsize);
    } catch (IllegalArgumentException e) {
      throw corrupt("UEB segment_size is unusable: " + e.getMessage());
    }
    requireNumber("num_segments", g.numSegments());
    requireText("codec_params", g.codecParams());
    requireText("tail_codec_params", g.tailCodecParams());
    crypttextHash();
    crypttextRootHash();
    shareRootHash();
    return g;
  }

  private byte[] hashField(String key) throws ShareFormatException {
    byte[] v = fields.get(key);
    if (v == null || v.length != HASH) {
      throw corrupt("UEB " + key + " is missing or not 32 bytes");
    }
    return v.clone();
  }

  private void requireText(String key, String expected) throws ShareFormatException {
    byte[] v = fields.get(key);
    if (v == null || !Arrays.equals(v, ascii(expected))) {
      throw corrupt("UEB " + key + " is not " + expected);
    }
  }

  private void requireNumber(String key, long expected) throws ShareFormatException {
    if (number(key) != expected) {
      throw corrupt("UEB " + key + " is " + number(key) + ", expected " + expected);
    }
  }

  private long number(String key) throws ShareFormatException {
    byte[] v = fields.get(key);
    if (v == null || v.length == 0 || v.length > 18 || (v[0] == '0' && v.length > 1)) {
      throw corrupt("UEB " + key + " is missing or not a decimal number");
    }
    long r = 0;
    for (byte b : v) {
      if (b < '0' || b > '9') {
        throw corrupt("UEB " + key + " is not a decimal number");
      }
      r = r * 10 + (b - '0');
    }
    return r;
  }

  private static ShareFormatException corrupt(String message) {
    return new ShareFormatException(ShareRegion.URI_EXTENSION, message, false);
  }

  private static boolean validKey(String key) {
    if (key.isEmpty()) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, byte x, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] checkHash(byte[] h) {
    if (h == null || h.length != HASH) {
      throw new IllegalArgumentException("UEB hashes are 32 bytes");
    }
    return h.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UriExtension u && Arrays.equals(encoded, u.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "UriExtension" + fields.keySet();
  }
}
