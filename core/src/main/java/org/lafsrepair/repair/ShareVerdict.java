package org.lafsrepair.repair;

/**
 * The outcome of verifying one share: good, corrupt (with the reason), incompatible (a format
 * version we cannot read; not counted either way), or unreadable (the server failed while we
 * read; the share is neither good nor proven bad).
 */
record ShareVerdict(Kind kind, long shareSize, String reason) {
  enum Kind {
    GOOD,
    CORRUPT,
    INCOMPATIBLE,
    UNREADABLE
  }

  static ShareVerdict good(long size) {
    return new ShareVerdict(Kind.GOOD, size, "");
  }

  static ShareVerdict corrupt(String reason) {
    return new ShareVerdict(Kind.CORRUPT, -1, reason);
  }

  static ShareVerdict incompatible(String reason) {
    return new ShareVerdict(Kind.INCOMPATIBLE, -1, reason);
  }

  static ShareVerdict unreadable(String reason) {
    return new ShareVerdict(Kind.UNREADABLE, -1, reason);
  }

  boolean isGood() {
    return kind == Kind.GOOD;
  }
}
