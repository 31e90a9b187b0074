package org.lafsrepair.mutable;

import java.util.Objects;

/**
 * A mutable share is malformed or fails an integrity check. Carries the region and, for share
 * data, the segment, so reports can say exactly what is wrong.
 */
public final class CorruptMutableShareException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ShareRegion region;
  private final int segment;

  public CorruptMutableShareException(ShareRegion region, String message) {
    this(region, -1, message);
  }

  public CorruptMutableShareException(ShareRegion region, int segment, String message) {
    super(region + (segment >= 0 ? " (segment " + segment + ")" : "") + ": " + message);
    this.region = Objects.requireNonNull(region, "region");
    this.segment = segment;
  }

  public ShareRegion region() {
    return region;
  }

  /** The segment concerned, or -1 when the defect is not tied to one. */
  public int segment() {
    return segment;
  }
}
