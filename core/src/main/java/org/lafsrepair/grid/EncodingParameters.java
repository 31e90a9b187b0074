package org.lafsrepair.grid;

/**
 * How new files are encoded and how widely they must be spread: k shares needed, N shares made,
 * {@code happy} the servers-of-happiness an upload must reach, and the maximum segment size
 * (Tahoe's default before 1.19 was 128 KiB; the corpus and the CLI default use 131072).
 */
public record EncodingParameters(int k, int n, int happy, int maxSegmentSize) {
  /** Tahoe's defaults: 3-of-10, happy 7, 128 KiB segments. */
  public static final EncodingParameters DEFAULT = new EncodingParameters(3, 10, 7, 131072);

  public EncodingParameters {
    if (k < 1 || k > n || n > 256) {
      throw new IllegalArgumentException("need 1 <= k <= n <= 256, got k=" + k + " n=" + n);
    }
    if (happy < 1 || happy > n) {
      throw new IllegalArgumentException("need 1 <= happy <= n, got happy=" + happy + " n=" + n);
    }
    if (maxSegmentSize < 1) {
      throw new IllegalArgumentException("segment size must be positive, got " + maxSegmentSize);
    }
  }

}
