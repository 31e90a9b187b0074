package org.lafsrepair.mutable;

import java.util.Objects;

/**
 * The outcome of checking one mutable share: good, corrupt (where and why), or incompatible (a
 * version byte we do not know). Whether a good share belongs to the version of interest is the
 * server map's business ({@link MutableServerMap#isStale}).
 */
public record ShareVerdict(Kind kind, ShareRegion region, int segment, String detail) {
  public enum Kind {
    GOOD,
    CORRUPT,
    INCOMPATIBLE
  }

  private static final ShareVerdict GOOD = new ShareVerdict(Kind.GOOD, null, -1, "");

  public ShareVerdict {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
    if ((kind == Kind.GOOD) != (region == null)) {
      throw new IllegalArgumentException("a region is given exactly for bad shares");
    }
  }

  public static ShareVerdict good() {
    return GOOD;
  }

  static ShareVerdict of(CorruptMutableShareException e) {
    return new ShareVerdict(e.region() == ShareRegion.VERSION ? Kind.INCOMPATIBLE : Kind.CORRUPT,
        e.region(), e.segment(), e.getMessage());
  }

  public boolean isGood() {
    return kind == Kind.GOOD;
  }
}
