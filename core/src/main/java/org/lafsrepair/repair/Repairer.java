package org.lafsrepair.repair;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.CapFormatException;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.cap.DirectoryVerifyCap;
import org.lafsrepair.cap.MutableVerifyCap;
import org.lafsrepair.cap.VerifyCap;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.internal.crypto.LeaseKeys;
import org.lafsrepair.spi.StorageIndex;

/**
 * Checks and repairs files on a {@link Grid}: the headline {@link #repair(VerifyCap)}. Needs no
 * more than a verify cap (read and write caps are diminished first); with only a storage index
 * it works in a weaker mode that it reports as such.
 *
 * <p>Thread-safe: one instance may repair many files at once. Build with {@link
 * #builder(Grid)}; close it to stop its own thread pool (a pool passed in is left alone).
 */
public final class Repairer implements AutoCloseable {
  private final Grid grid;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final ImmutableEngine.Settings settings;
  private final RepairListener listener;
  private final Checker checker;

  private Repairer(Builder b) {
    this.grid = b.grid;
    this.ownsExecutor = b.executor == null;
    this.executor = b.executor != null ? b.executor : defaultExecutor();
    this.listener = b.listener;
    byte[] leaseSecret = grid.leaseSecret();
    this.settings =
        new ImmutableEngine.Settings(
            grid.servers(), executor, b.listTimeout, b.verifyTimeout,
            (si, server) -> LeaseKeys.forServer(leaseSecret, si, server), leaseSecret, b.removeSurplus,
            b.freshPostCheck, b.rebuildParallelism, listener);
    this.checker = new Checker(settings);
  }

  public static Builder builder(Grid grid) {
    return new Builder(grid);
  }

  /** The checker sharing this repairer's servers, pool and timeouts. */
  public Checker checker() {
    return checker;
  }

  /** Parses a cap or a 26-character storage index and repairs it. */
  public RepairResult repair(String capOrStorageIndex) throws CapFormatException, RepairException, InterruptedException {
    return repair(Target.parse(capOrStorageIndex), RepairOptions.DEFAULT);
  }

  /** Repairs the file behind any cap that can be diminished to a verify cap. */
  public RepairResult repair(Cap cap) throws RepairException, InterruptedException {
    return repair(Target.of(cap), RepairOptions.DEFAULT);
  }

  /** Repairs the file: verify every share, rebuild and place what is missing or bad, check again. */
  public RepairResult repair(VerifyCap cap) throws RepairException, InterruptedException {
    return repair(Target.of(cap), RepairOptions.DEFAULT);
  }

  /** Storage-index-only repair: see {@link CheckResult.Mode#STORAGE_INDEX_ONLY}. */
  public RepairResult repair(StorageIndex si) throws RepairException, InterruptedException {
    return repair(Target.of(si), RepairOptions.DEFAULT);
  }

  /** Repairs with options (dry run). */
  public RepairResult repair(Target target, RepairOptions options) throws RepairException, InterruptedException {
    long t0 = System.nanoTime();
    RepairResult r = checker.engineFor(target).repair(options);
    listener.repaired(r, System.nanoTime() - t0);
    return r;
  }

  @Override
  public void close() {
    if (ownsExecutor) {
      executor.shutdownNow();
    }
  }

  private static ExecutorService defaultExecutor() {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "lafs-repair-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return Executors.newCachedThreadPool(tf);
  }

  /**
   * What to repair: a verify cap, or only a storage index. {@code given} is the cap the caller
   * had, when it was more than a verify cap: a mutable file's write cap lets repair use the
   * ordinary write-enabler path (and check the encrypted private key); it is never needed.
   */
  public record Target(Optional<VerifyCap> cap, StorageIndex storageIndex, Optional<Cap> given) {
    public Target {
      Objects.requireNonNull(cap);
      Objects.requireNonNull(storageIndex);
      Objects.requireNonNull(given);
    }

    public Target(Optional<VerifyCap> cap, StorageIndex storageIndex) {
      this(cap, storageIndex, Optional.empty());
    }

    public static Target of(VerifyCap cap) {
      VerifyCap inner = cap;
      while (inner instanceof DirectoryVerifyCap d) {
        inner = d.inner();
      }
      return new Target(Optional.of(inner), cap.index());
    }

    /** Diminishes {@code cap} (keeping it for write access); a literal cap is refused. */
    public static Target of(Cap cap) throws RepairException {
      VerifyCap v = cap.verifyCap()
          .orElseThrow(() -> new RepairException(cap.kind() + " cap has nothing stored to check or repair"));
      Target t = of(v);
      return cap instanceof VerifyCap ? t : new Target(t.cap(), t.storageIndex(), Optional.of(cap));
    }

    public static Target of(StorageIndex si) {
      return new Target(Optional.empty(), si);
    }

    /** A cap, or a bare 26-character storage index. */
    public static Target parse(String text) throws CapFormatException {
      String t = text.trim();
      if (!t.startsWith("URI:")) {
        try {
          return of(StorageIndex.parse(t));
        } catch (IllegalArgumentException e) {
          throw new CapFormatException("neither a cap nor a storage index: " + e.getMessage());
        }
      }
      Cap cap = Caps.parse(t);
      if (cap.verifyCap().isEmpty()) {
        throw new CapFormatException(cap.kind() + " cap has nothing stored to check or repair");
      }
      try {
        return of(cap);
      } catch (RepairException e) {
        throw new CapFormatException(e.getMessage());
      }
    }

    boolean isChk() {
      return cap.isPresent() && cap.get() instanceof ChkVerifyCap;
    }

    boolean isMutable() {
      return cap.isPresent() && cap.get() instanceof MutableVerifyCap;
    }
  }

  /**
   * Per-call options. {@code force}: repair a mutable file even when a newer version is
   * unrecoverable or there are multiple heads (newer or competing versions are still never
   * overwritten).
   */
  public record RepairOptions(boolean dryRun, boolean force) {
    public static final RepairOptions DEFAULT = new RepairOptions(false, false);
    public static final RepairOptions DRY_RUN = new RepairOptions(true, false);
  }

  /** Fail-fast builder. */
  public static final class Builder {
    private final Grid grid;
    private ExecutorService executor;
    private Duration listTimeout;
    private Duration verifyTimeout = Duration.ofMinutes(10);
    private boolean removeSurplus = true;
    private boolean freshPostCheck = true;
    private int rebuildParallelism = Runtime.getRuntime().availableProcessors();
    private RepairListener listener = RepairListener.NONE;

    private Builder(Grid grid) {
      this.grid = Objects.requireNonNull(grid, "grid");
      this.listTimeout = grid.serverTimeout();
    }

    /** Runs server calls on this pool (e.g. virtual threads on JDK 21+); not closed by the repairer. */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor);
      return this;
    }

    /**
     * How long a server may take to list its shares before it counts as not responding. A check
     * returns within it whatever {@link org.lafsrepair.spi.Locality#REMOTE} servers do; a listing
     * of a quick {@code LOCAL} server that the checking thread runs itself can hold the check
     * longer only if local storage stalls during it (see {@code StorageServer.locality()}).
     */
    public Builder listTimeout(Duration d) {
      this.listTimeout = positive(d, "list timeout");
      return this;
    }

    /** How long verifying one share may take before the share counts as unreadable. */
    public Builder verifyTimeout(Duration d) {
      this.verifyTimeout = positive(d, "verify timeout");
      return this;
    }

    /** Whether rebalancing deletes good copies left doubled up on one server (default true). */
    public Builder removeSurplusCopies(boolean remove) {
      this.removeSurplus = remove;
      return this;
    }

    /**
     * Whether the check after a repair re-reads and re-verifies every share (default true, and
     * what the CLI reports). With false, shares verified moments before by the same repair keep
     * their verdicts and only the new shares (always read back and verified) are added: less
     * I/O for bulk repair, at the cost of not noticing a share that went bad during the repair.
     * Applies to immutable files.
     */
    public Builder freshPostCheck(boolean fresh) {
      this.freshPostCheck = fresh;
      return this;
    }

    /**
     * How many threads rebuild one file's segments: the calling thread and up to {@code
     * threads - 1} tasks on the pool (default: the number of processors; 1 rebuilds on the
     * calling thread alone, one segment at a time). Work is handed out in runs of about 1 MiB of
     * source blocks, so a hand-off costs little next to the work. The calling thread writes every
     * new share, in order, whatever the value. Memory per repair grows with it: about (1 MiB +
     * segment size) × (1 + shares rebuilt / k) × (parallelism + 1).
     */
    public Builder rebuildParallelism(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("rebuild parallelism must be >= 1, got " + threads);
      }
      this.rebuildParallelism = threads;
      return this;
    }

    public Builder listener(RepairListener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    public Repairer build() {
      return new Repairer(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return d;
    }
  }
}
