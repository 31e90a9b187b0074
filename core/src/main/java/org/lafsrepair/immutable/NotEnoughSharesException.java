package org.lafsrepair.immutable;

import java.util.List;

/**
 * Fewer than k distinct good shares could be read: the file cannot be recovered from the given
 * candidates. Lists why each unusable candidate failed.
 */
public final class NotEnoughSharesException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int needed;
  private final int good;
  private final transient List<ShareFailure> failures;

  public NotEnoughSharesException(int needed, int good, List<ShareFailure> failures) {
    super("need " + needed + " good shares, found " + good
        + (failures.isEmpty() ? "" : "; failures: " + failures));
    this.needed = needed;
    this.good = good;
    this.failures = List.copyOf(failures);
  }

  /** k. */
  public int needed() {
    return needed;
  }

  /** Distinct good shares that were still usable when recovery gave up. */
  public int good() {
    return good;
  }

  public List<ShareFailure> failures() {
    return failures;
  }
}
