package org.lafsrepair.repair;

/** Rebuilding shares failed: too few good sources, or data that did not verify while decoding. */
public final class RebuildException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retryWithFreshSinks;

  public RebuildException(String message) {
    this(message, null, false);
  }

  public RebuildException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param retryWithFreshSinks the sources changed after they were verified: a rebuild that
   *     checks as it goes, into new sinks, can still succeed
   */
  public RebuildException(String message, Throwable cause, boolean retryWithFreshSinks) {
    super(message, cause);
    this.retryWithFreshSinks = retryWithFreshSinks;
  }

  /** Whether rebuilding again (checking every segment, into new sinks) may succeed. */
  public boolean retryWithFreshSinks() {
    return retryWithFreshSinks;
  }
}
