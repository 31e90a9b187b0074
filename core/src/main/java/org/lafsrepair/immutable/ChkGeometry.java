package org.lafsrepair.immutable;

import org.lafsrepair.internal.hashtree.HashTree;

/**
 * The sizes of one CHK file's encoding (tahoe-formats.md §4.1), all derived from k, N, the file
 * size and the actual segment size. Validated at construction; immutable.
 *
 * @param k shares needed
 * @param n shares made
 * @param size plaintext (= ciphertext) size, at least 1 (smaller files are literal caps)
 * @param segmentSize the actual segment size: a positive multiple of k
 */
public record ChkGeometry(int k, int n, long size, int segmentSize) {
  /**
   * Largest segment size accepted. Tahoe uses 128 KiB or 1 MiB; the bound keeps a hostile UEB from
   * making readers allocate absurd blocks.
   */
  public static final int MAX_SEGMENT_SIZE = 64 << 20;

  public ChkGeometry {
    if (k < 1 || k > n || n > 256) {
      throw new IllegalArgumentException("need 1 <= k <= N <= 256, got k=" + k + " N=" + n);
    }
    if (size < 1) {
      throw new IllegalArgumentException("CHK size must be positive, got " + size);
    }
    if (segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE || segmentSize % k != 0) {
      throw new IllegalArgumentException(
          "segment size " + segmentSize + " must be a positive multiple of k=" + k + " ≤ 64 MiB");
    }
    long segs = (size + segmentSize - 1) / segmentSize;
    if (segs > HashTree.MAX_LEAVES) {
      throw new IllegalArgumentException("too many segments: " + segs);
    }
  }

  /** Geometry Tahoe's uploader chooses: segsize = next_multiple(min(maxSegmentSize, size), k). */
  public static ChkGeometry forUpload(int k, int n, long size, int maxSegmentSize) {
    if (maxSegmentSize < 1) {
      throw new IllegalArgumentException("max segment size must be positive");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive");
    }
    long s = Math.min(maxSegmentSize, size);
    long seg = (s + k - 1) / k * k;
    if (seg > MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("segment size too large: " + seg);
    }
    return new ChkGeometry(k, n, size, (int) seg);
  }

  public int numSegments() {
    return (int) ((size + segmentSize - 1) / segmentSize);
  }

  public int blockSize() {
    return segmentSize / k;
  }

  /** Bytes of plaintext in the last segment (segsize when it divides the size). */
  public int tailDataSize() {
    long t = size % segmentSize;
    return t == 0 ? segmentSize : (int) t;
  }

  /** The tail segment zero-padded to a multiple of k. */
  public int tailPaddedSize() {
    return (tailDataSize() + k - 1) / k * k;
  }

  public int tailBlockSize() {
    return tailPaddedSize() / k;
  }

  /** Plaintext bytes in segment s. */
  public int segmentDataSize(int s) {
    checkSegment(s);
    return s == numSegments() - 1 ? tailDataSize() : segmentSize;
  }

  /** Block length of segment s (the padded tail's block for the last one). */
  public int blockSize(int s) {
    checkSegment(s);
    return s == numSegments() - 1 ? tailBlockSize() : blockSize();
  }

  /** Total block bytes per share: (segments−1)·block_size + tail_block = ceil(size/k). */
  public long shareDataSize() {
    return (long) (numSegments() - 1) * blockSize() + tailBlockSize();
  }

  /** Size of each stored segment tree (crypttext, block, plaintext): (2P−1)·32. */
  public long segmentTreeBytes() {
    return HashTree.treeBytes(numSegments());
  }

  /** Entries in each share's share-hash chain: log2(next_pow2(N)) + 1 (the leaf included). */
  public int chainLength() {
    return HashTree.immutableChainNodes(n, 0).length;
  }

  /** {@code codec_params}: "segsize-k-N". */
  public String codecParams() {
    return segmentSize + "-" + k + "-" + n;
  }

  /** {@code tail_codec_params}: "tail_padded-k-N". */
  public String tailCodecParams() {
    return tailPaddedSize() + "-" + k + "-" + n;
  }

  private void checkSegment(int s) {
    if (s < 0 || s >= numSegments()) {
      throw new IndexOutOfBoundsException("segment " + s + " of " + numSegments());
    }
  }
}
