package org.lafsrepair.immutable;

/**
 * A rebuild that trusted its sources (they had been verified moments before, so the per-segment
 * crypttext checks were skipped) produced blocks the file's share hash tree rejects: some source
 * now serves different bytes than when it was verified. Nothing written may be kept; rebuilding
 * again with {@link ChkRebuilder.SegmentCheck#EVERY_SEGMENT} finds and drops the bad source.
 */
public final class SourcesChangedException extends Exception {
  private static final long serialVersionUID = 1L;

  public SourcesChangedException(String message) {
    super(message);
  }
}
