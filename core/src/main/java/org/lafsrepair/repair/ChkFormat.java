package org.lafsrepair.repair;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.lafsrepair.immutable.ShareCandidate;
import java.util.stream.Collectors;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.immutable.ChkRebuilder;
import org.lafsrepair.immutable.ChkVerifier;
import org.lafsrepair.immutable.SourcesChangedException;
import org.lafsrepair.immutable.WrittenBlocks;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;

/** Binds the CHK format code ({@link ChkVerifier}, {@link ChkRebuilder}) to the engine's seam. */
final class ChkFormat implements ImmutableFormat {
  private final ChkVerifyCap cap;

  private ChkFormat(ChkVerifyCap cap) {
    this.cap = cap;
  }

  static ImmutableFormat of(ChkVerifyCap cap) {
    return new ChkFormat(cap);
  }

  @Override
  public int k() {
    return cap.k();
  }

  @Override
  public int n() {
    return cap.n();
  }

  @Override
  public ShareVerdict verify(ShareNumber shnum, ShareSource share) {
    return convert(() -> ChkVerifier.verify(cap, shnum, share));
  }

  @FunctionalInterface
  private interface Verification {
    org.lafsrepair.immutable.ShareVerdict run() throws StorageException;
  }

  private static ShareVerdict convert(Verification verification) {
    org.lafsrepair.immutable.ShareVerdict v;
    try {
      v = verification.run();
    } catch (StorageException e) {
      return ShareVerdict.unreadable(e.getMessage());
    } catch (RuntimeException e) {
      // A verifier bug must not be mistaken for corruption (that could retire a good share).
      return ShareVerdict.unreadable("verifier failed: " + e);
    }
    if (v instanceof org.lafsrepair.immutable.ShareVerdict.Good g) {
      return ShareVerdict.good(g.length());
    }
    if (v instanceof org.lafsrepair.immutable.ShareVerdict.Corrupt c) {
      return ShareVerdict.corrupt(c.problems().stream().map(Object::toString).collect(Collectors.joining("; ")));
    }
    return ShareVerdict.incompatible(((org.lafsrepair.immutable.ShareVerdict.Incompatible) v).reason());
  }

  @Override
  public ReadBack rebuild(List<ShareCandidate> sources, Map<ShareNumber, ShareSink> sinks,
      Executor executor, int parallelism, boolean sourcesVerified)
      throws StorageException, RebuildException {
    try {
      ChkRebuilder.Prepared p = ChkRebuilder.prepare(cap, sources);
      p.rebuild(sinks, executor, parallelism,
          sourcesVerified ? ChkRebuilder.SegmentCheck.AT_END : ChkRebuilder.SegmentCheck.EVERY_SEGMENT);
      return (shnum, share) -> {
        Optional<WrittenBlocks> w = p.written(shnum);
        return w.isEmpty() ? verify(shnum, share) : convert(() -> ChkVerifier.verifyWritten(cap, share, w.get()));
      };
    } catch (org.lafsrepair.immutable.NotEnoughSharesException | org.lafsrepair.immutable.CorruptFileException e) {
      throw new RebuildException(e.getMessage(), e);
    } catch (SourcesChangedException e) {
      throw new RebuildException(e.getMessage(), e, true);
    }
  }
}
