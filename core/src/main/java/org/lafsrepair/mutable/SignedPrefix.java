package org.lafsrepair.mutable;

import org.lafsrepair.cap.MutableFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.lafsrepair.spi.StorageServer;

/**
 * The signed prefix of a mutable share: version, seqnum, root hash of the share tree, (SDMF) the
 * IV, k, N, segment size and data length (tahoe-formats.md §7.1, §7.2). Everything a version is
 * identified by, and what RSA-PSS signs. Immutable and validated: a prefix that exists describes
 * a file this library can handle within bounded memory.
 */
public final class SignedPrefix {
  /** Length of the root hash and of every tree hash. */
  public static final int HASH_LENGTH = 32;
  /** Length of an SDMF IV and of an MDMF per-segment salt. */
  public static final int SALT_LENGTH = 16;
  /** Encoded length of an SDMF signed prefix ({@code >BQ32s16sBBQQ}). */
  public static final int SDMF_LENGTH = 75;
  /** Encoded length of an MDMF signed prefix ({@code >BQ32sBBQQ}). */
  public static final int MDMF_LENGTH = 59;
  /**
   * Most segments we accept: the block hash tree of 2^20 leaves is 64 MiB, the largest single
   * read a server must serve. At Tahoe's 128 KiB segments that is a 128 GiB file.
   */
  public static final long MAX_SEGMENTS = 1L << 20;
  /** Largest block (plus MDMF salt) we accept, so one block is one server read. */
  public static final long MAX_BLOCK_SIZE = StorageServer.MAX_READ_LENGTH - SALT_LENGTH;

  private final MutableFormat format;
  private final long seqnum;
  private final byte[] rootHash;
  private final byte[] iv;
  private final int k;
  private final int n;
  private final long segmentSize;
  private final long dataLength;

  private SignedPrefix(
      MutableFormat format, long seqnum, byte[] rootHash, byte[] iv, int k, int n,
      long segmentSize, long dataLength) {
    this.format = format;
    this.seqnum = seqnum;
    this.rootHash = rootHash;
    this.iv = iv;
    this.k = k;
    this.n = n;
    this.segmentSize = segmentSize;
    this.dataLength = dataLength;
  }

  /** An SDMF prefix. @throws IllegalArgumentException if the fields are inconsistent */
  public static SignedPrefix sdmf(
      long seqnum, byte[] rootHash, byte[] iv, int k, int n, long segmentSize, long dataLength) {
    Objects.requireNonNull(iv, "iv");
    return create(MutableFormat.SDMF, seqnum, rootHash, iv, k, n, segmentSize, dataLength);
  }

  /** An MDMF prefix. @throws IllegalArgumentException if the fields are inconsistent */
  public static SignedPrefix mdmf(
      long seqnum, byte[] rootHash, int k, int n, long segmentSize, long dataLength) {
    return create(MutableFormat.MDMF, seqnum, rootHash, null, k, n, segmentSize, dataLength);
  }

  private static SignedPrefix create(
      MutableFormat format, long seqnum, byte[] rootHash, byte[] iv, int k, int n,
      long segmentSize, long dataLength) {
    Objects.requireNonNull(rootHash, "rootHash");
    String problem = problem(format, rootHash.length, iv == null ? -1 : iv.length, k, n,
        segmentSize, dataLength);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new SignedPrefix(format, seqnum, rootHash.clone(), iv == null ? null : iv.clone(), k, n,
        segmentSize, dataLength);
  }

  /**
   * Parses the signed prefix at the start of {@code data} (which may hold more).
   *
   * @throws CorruptMutableShareException VERSION for an unknown version byte, TRUNCATED if too
   *     short, HEADER for inconsistent fields
   */
  public static SignedPrefix parse(byte[] data) throws CorruptMutableShareException {
    if (data.length < 1) {
      throw new CorruptMutableShareException(ShareRegion.TRUNCATED, "empty share");
    }
    MutableFormat format = formatOf(data[0]);
    int need = format == MutableFormat.SDMF ? SDMF_LENGTH : MDMF_LENGTH;
    if (data.length < need) {
      throw new CorruptMutableShareException(ShareRegion.TRUNCATED,
          "share of " + data.length + " bytes is shorter than its signed prefix (" + need + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    b.get();
    long seqnum = b.getLong();
    byte[] root = new byte[HASH_LENGTH];
    b.get(root);
    byte[] iv = null;
    if (format == MutableFormat.SDMF) {
      iv = new byte[SALT_LENGTH];
      b.get(iv);
    }
    int k = Byte.toUnsignedInt(b.get());
    int n = Byte.toUnsignedInt(b.get());
    long segsize = b.getLong();
    long datalen = b.getLong();
    String problem = problem(format, HASH_LENGTH, iv == null ? -1 : SALT_LENGTH, k, n, segsize,
        datalen);
    if (problem != null) {
      throw new CorruptMutableShareException(ShareRegion.HEADER, problem);
    }
    return new SignedPrefix(format, seqnum, root, iv, k, n, segsize, datalen);
  }

  static MutableFormat formatOf(byte version) throws CorruptMutableShareException {
    return switch (version) {
      case 0 -> MutableFormat.SDMF;
      case 1 -> MutableFormat.MDMF;
      default -> throw new CorruptMutableShareException(ShareRegion.VERSION,
          "unknown mutable share version " + Byte.toUnsignedInt(version));
    };
  }

  private static String problem(
      MutableFormat format, int rootLength, int ivLength, int k, int n, long segsize,
      long datalen) {
    if (rootLength != HASH_LENGTH) {
      return "root hash must be 32 bytes";
    }
    if (format == MutableFormat.SDMF ? ivLength != SALT_LENGTH : ivLength != -1) {
      return format == MutableFormat.SDMF ? "SDMF IV must be 16 bytes" : "MDMF has no IV";
    }
    if (k < 1 || n < k || n > 255) {
      return "bad encoding parameters k=" + k + " N=" + n;
    }
    if (segsize < 0 || datalen < 0) {
      return "segment size or data length beyond 2^63";
    }
    if (datalen > 0 && segsize == 0) {
      return "data length " + datalen + " with segment size 0";
    }
    if (segsize % k != 0) {
      return "segment size " + segsize + " is not a multiple of k=" + k;
    }
    if (segsize / k > MAX_BLOCK_SIZE) {
      return "segment size " + segsize + " gives blocks over " + MAX_BLOCK_SIZE + " bytes";
    }
    long segments = datalen == 0 ? 0 : (datalen - 1) / segsize + 1;
    if (format == MutableFormat.SDMF && segments > 1) {
      return "SDMF data length " + datalen + " exceeds its one segment of " + segsize;
    }
    if (segments > MAX_SEGMENTS) {
      return segments + " segments exceed the limit of " + MAX_SEGMENTS;
    }
    return null;
  }

  /** The signed bytes ({@value #SDMF_LENGTH} or {@value #MDMF_LENGTH} of them). */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(length());
    b.put((byte) (format == MutableFormat.SDMF ? 0 : 1)).putLong(seqnum).put(rootHash);
    if (iv != null) {
      b.put(iv);
    }
    b.put((byte) k).put((byte) n).putLong(segmentSize).putLong(dataLength);
    return b.array();
  }

  /** Tahoe's checkstring, the leading bytes used as a test vector: seqnum, root hash, (IV). */
  public byte[] checkstring() {
    return Arrays.copyOf(toBytes(), format == MutableFormat.SDMF ? 57 : 41);
  }

  public int length() {
    return format == MutableFormat.SDMF ? SDMF_LENGTH : MDMF_LENGTH;
  }

  public MutableFormat format() {
    return format;
  }

  public long seqnum() {
    return seqnum;
  }

  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** SDMF's IV (its single salt); absent for MDMF. */
  public java.util.Optional<byte[]> iv() {
    return iv == null ? java.util.Optional.empty() : java.util.Optional.of(iv.clone());
  }

  public int k() {
    return k;
  }

  public int n() {
    return n;
  }

  public long segmentSize() {
    return segmentSize;
  }

  public long dataLength() {
    return dataLength;
  }

  /** Number of segments; at most {@link #MAX_SEGMENTS}. */
  public int numSegments() {
    return dataLength == 0 ? 0 : (int) ((dataLength - 1) / segmentSize + 1);
  }

  /** Plaintext bytes in segment {@code i} (the tail may be shorter). */
  public int segmentLength(int i) {
    checkSegment(i);
    long start = (long) i * segmentSize;
    return (int) Math.min(segmentSize, dataLength - start);
  }

  /** Block bytes of segment {@code i} in every share: the padded segment divided by k. */
  public int blockLength(int i) {
    return (segmentLength(i) + k - 1) / k;
  }

  /** Bytes of share data (MDMF: salts included) over all segments. */
  public long shareDataLength() {
    int segments = numSegments();
    if (segments == 0) {
      return 0;
    }
    long saltBytes = format == MutableFormat.MDMF ? SALT_LENGTH : 0;
    long full = segmentSize / k + saltBytes;
    return full * (segments - 1) + blockLength(segments - 1) + saltBytes;
  }

  /** Offset of segment {@code i}'s stored bytes (MDMF: its salt) relative to the share data. */
  public long segmentOffset(int i) {
    checkSegment(i);
    long saltBytes = format == MutableFormat.MDMF ? SALT_LENGTH : 0;
    return (segmentSize / k + saltBytes) * i;
  }

  private void checkSegment(int i) {
    if (i < 0 || i >= numSegments()) {
      throw new IndexOutOfBoundsException("segment " + i + " of " + numSegments());
    }
  }

  /** Same seqnum and root hash: the two prefixes name the same version (if both are signed). */
  public boolean sameVersion(SignedPrefix other) {
    return seqnum == other.seqnum && Arrays.equals(rootHash, other.rootHash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedPrefix p && Arrays.equals(toBytes(), p.toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }

  @Override
  public String toString() {
    return format + "[seq=" + seqnum + ", root=" + org.lafsrepair.spi.Base32.encode(rootHash)
        + ", k=" + k + ", N=" + n + ", segsize=" + segmentSize + ", datalen=" + dataLength + "]";
  }
}
