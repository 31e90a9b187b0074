package org.lafsrepair.spi;

/**
 * A server's space report, as in Tahoe's {@code get_version()}: bytes available, and the largest
 * immutable and mutable share it would accept now. {@link Long#MAX_VALUE} means "no limit known".
 */
public record SpaceInfo(long available, long maximumImmutableShareSize, long maximumMutableShareSize) {
  public SpaceInfo {
    if (available < 0 || maximumImmutableShareSize < 0 || maximumMutableShareSize < 0) {
      throw new IllegalArgumentException("space figures must be >= 0");
    }
  }

  /** A report for a server with no known limit. */
  public static SpaceInfo unlimited() {
    return new SpaceInfo(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
  }
}
