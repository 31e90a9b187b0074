package org.lafsrepair.repair;

/** Rebuilding shares failed: too few good sources, or data that did not verify while decoding. */
public final class RebuildException extends Exception {
  private static final long serialVersionUID = 1L;

  public RebuildException(String message) {
    super(message);
  }

  public RebuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
