package org.lafsrepair.immutable;

import java.nio.ByteBuffer;

/**
 * The header of an immutable share (tahoe-formats.md §5.1): layout version 1 (4-byte fields,
 * header 0x24) or 2 (8-byte fields, header 0x44), the informational block and share sizes, and the
 * offsets of the regions, relative to the start of the share data. Regions are packed in order:
 * blocks, plaintext tree (zeros), crypttext tree, block tree, share-hash chain, then the UEB length
 * (4 or 8 bytes) and the UEB.
 *
 * <p>Values as read from a share are untrusted: {@link #parse} only checks the bytes are
 * well-formed; callers compare with {@link #expected}.
 */
public record ShareLayout(
    int version,
    long blockSize,
    long shareDataSize,
    long dataOffset,
    long plaintextTreeOffset,
    long crypttextTreeOffset,
    long blockHashesOffset,
    long shareHashesOffset,
    long uriExtensionOffset) {

  /** Bytes to read to parse any header version. */
  public static final int MAX_HEADER_SIZE = 0x44;

  private static final long V1_LIMIT = 1L << 32;

  public ShareLayout {
    if (version != 1 && version != 2) {
      throw new IllegalArgumentException("layout version must be 1 or 2, got " + version);
    }
    long[] fields = {
      blockSize, shareDataSize, dataOffset, plaintextTreeOffset, crypttextTreeOffset,
      blockHashesOffset, shareHashesOffset, uriExtensionOffset
    };
    for (long f : fields) {
      if (f < 0 || (version == 1 && f >= V1_LIMIT)) {
        throw new IllegalArgumentException("field out of range for layout v" + version + ": " + f);
      }
    }
  }

  /** Header length: 0x24 (v1) or 0x44 (v2). */
  public static int headerSize(int version) {
    return version == 1 ? 0x24 : 0x44;
  }

  /** Width of the UEB length field: 4 (v1) or 8 (v2). */
  public int uebLengthFieldSize() {
    return version == 1 ? 4 : 8;
  }

  /** Where the UEB bytes start. */
  public long uebOffset() {
    return uriExtensionOffset + uebLengthFieldSize();
  }

  /** Total share-data length given the UEB length (Tahoe's allocated size). */
  public long totalLength(int uebLength) {
    return uebOffset() + uebLength;
  }

  /**
   * The layout Tahoe writes for this geometry: version 1 unless the block size, the share data
   * size or the UEB offset reaches 2^32 ({@code layout.make_write_bucket_proxy}).
   */
  public static ShareLayout forUpload(ChkGeometry g) {
    // Offsets grow monotonically up to the UEB offset, so v1 fails exactly when Tahoe's
    // FileTooLargeError conditions hold.
    try {
      return expected(1, g);
    } catch (IllegalArgumentException tooLargeForV1) {
      return expected(2, g);
    }
  }

  /**
   * The only consistent layout of this version for this geometry.
   *
   * @throws IllegalArgumentException if version 1 cannot hold it
   */
  public static ShareLayout expected(int version, ChkGeometry g) {
    long tree = g.segmentTreeBytes();
    long data = headerSize(version);
    long pt = data + g.shareDataSize();
    long ct = pt + tree;
    long bh = ct + tree;
    long sh = bh + tree;
    long ueb = sh + (long) g.chainLength() * 34;
    return new ShareLayout(version, g.blockSize(), g.shareDataSize(), data, pt, ct, bh, sh, ueb);
  }

  /**
   * Parses a header. {@code header} must hold at least {@link #headerSize} bytes of the version
   * found in its first 4 bytes.
   *
   * @throws ShareFormatException if the version is unknown (incompatible) or the header is short
   */
  public static ShareLayout parse(ByteBuffer header) throws ShareFormatException {
    ByteBuffer b = header.duplicate();
    if (b.remaining() < 4) {
      throw ShareFormatException.truncated(ShareRegion.HEADER, "header shorter than 4 bytes");
    }
    int version = b.getInt(b.position());
    if (version != 1 && version != 2) {
      throw ShareFormatException.incompatible(
          "unknown share layout version " + Integer.toUnsignedString(version));
    }
    if (b.remaining() < headerSize(version)) {
      throw ShareFormatException.truncated(
          ShareRegion.HEADER, "header of layout v" + version + " is truncated");
    }
    b.getInt();
    long[] f = new long[8];
    for (int i = 0; i < 8; i++) {
      f[i] = version == 1 ? Integer.toUnsignedLong(b.getInt()) : b.getLong();
      if (f[i] < 0) {
        throw new ShareFormatException(
            ShareRegion.HEADER, "header field " + i + " exceeds 2^63", false);
      }
    }
    return new ShareLayout(version, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
  }

  /** The header bytes Tahoe writes for this layout. */
  public byte[] headerBytes() {
    ByteBuffer b = ByteBuffer.allocate(headerSize(version));
    b.putInt(version);
    long[] f = {
      blockSize, shareDataSize, dataOffset, plaintextTreeOffset, crypttextTreeOffset,
      blockHashesOffset, shareHashesOffset, uriExtensionOffset
    };
    for (long v : f) {
      if (version == 1) {
        b.putInt((int) v);
      } else {
        b.putLong(v);
      }
    }
    return b.array();
  }

  /** The UEB length field as stored. */
  public byte[] uebLengthBytes(int uebLength) {
    ByteBuffer b = ByteBuffer.allocate(uebLengthFieldSize());
    if (version == 1) {
      b.putInt(uebLength);
    } else {
      b.putLong(uebLength);
    }
    return b.array();
  }
}
