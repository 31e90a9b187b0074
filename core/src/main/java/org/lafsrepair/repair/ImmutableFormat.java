package org.lafsrepair.repair;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.lafsrepair.immutable.ShareCandidate;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;

/**
 * What the check/repair engine needs from an immutable file format, bound to one file (its verify
 * cap, or in storage-index-only mode the UEB found on the shares). Keeps the engine independent
 * of the format code's own types.
 */
interface ImmutableFormat {
  int k();

  int n();

  /** Reads and verifies every byte of one share. Never throws for bad data: that is a verdict. */
  ShareVerdict verify(ShareNumber shnum, ShareSource share);

  /**
   * Writes the complete bytes of every share in {@code sinks}, decoding from {@code sources}
   * (verified good shares in order of preference; at least k distinct share numbers; the rest
   * are fallbacks if a source fails), byte-identical to what the original uploader wrote. Up to
   * {@code parallelism} segments may be in work at once on {@code executor}; every sink is
   * written from the calling thread only. {@code sourcesVerified}: every source was verified
   * moments ago, so the format may check the decoded data once at the end instead of as it goes;
   * if a source changed meanwhile it then throws a {@link RebuildException} with {@link
   * RebuildException#retryWithFreshSinks()} set, and nothing written may be kept.
   *
   * @return how to check a rebuilt share once committed: at least as strict as {@link #verify}
   *     about everything the file's hashes cover, but free to compare the blocks with what was
   *     written instead of hashing them again
   */
  ReadBack rebuild(List<ShareCandidate> sources, Map<ShareNumber, ShareSink> sinks,
      Executor executor, int parallelism, boolean sourcesVerified)
      throws StorageException, RebuildException;

  /** Checks a committed rebuilt share as the server now serves it. Thread-safe. */
  @FunctionalInterface
  interface ReadBack {
    ShareVerdict check(ShareNumber shnum, ShareSource share);
  }
}
