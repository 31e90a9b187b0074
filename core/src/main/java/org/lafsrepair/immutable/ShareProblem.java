package org.lafsrepair.immutable;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One thing wrong with an immutable share: the region, the segment when the problem is about one
 * segment's block or block hash, and a human-readable detail.
 */
public record ShareProblem(ShareRegion region, OptionalInt segment, String detail) {
  public ShareProblem {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(detail, "detail");
  }

  static ShareProblem of(ShareRegion region, String detail) {
    return new ShareProblem(region, OptionalInt.empty(), detail);
  }

  static ShareProblem atSegment(ShareRegion region, int segment, String detail) {
    return new ShareProblem(region, OptionalInt.of(segment), detail);
  }

  @Override
  public String toString() {
    return region + (segment.isPresent() ? " segment " + segment.getAsInt() : "") + ": " + detail;
  }
}
