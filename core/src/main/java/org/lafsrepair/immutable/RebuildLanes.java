package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32C;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.spi.StorageException;

/**
 * The segment loop of a rebuild: runs of consecutive segments are fetched, decoded, encoded and
 * hashed by the calling thread and by helper tasks on a pool, each run into a free {@link Lane},
 * and the calling thread writes finished runs to the sinks in segment order.
 *
 * <p>The calling thread is a worker too: it writes the next run as soon as that run is ready and
 * otherwise computes a run itself, so {@code helpers + 1} threads keep {@code helpers + 1} cores
 * busy, with no thread that only waits and hands work around (each hand-off to a parked pool
 * thread costs a wake-up, tens of microseconds on a VM, which is why a task is a whole run and
 * not one segment). A helper the pool never starts, or a pool that rejects work, slows the
 * rebuild down but cannot stall it. Sinks are only ever called from the calling thread, one call
 * at a time and in segment order, so they need not be thread-safe.
 */
final class RebuildLanes {
  /** Source bytes a run covers: enough work per task that a hand-off costs little. */
  static final long RUN_SOURCE_BYTES = 1L << 20;

  private final ChkGeometry g;
  private final int segs;
  private final int run;
  private final int runs;
  private final TreeMap<Integer, ShareSink> sinks;
  private final long dataOffset;

  // Guarded by this.
  private final ArrayDeque<Lane> free;
  /** By run: computed and waiting to be written. */
  private final Lane[] computed;
  private int nextRun;
  private int nextWrite;
  private int activeHelpers;
  private Throwable failure;
  private boolean finished;
  private Thread caller;

  RebuildLanes(ChkGeometry g, int run, List<Lane> lanes, TreeMap<Integer, ShareSink> sinks,
      long dataOffset) {
    if (run < 1 || lanes.isEmpty()) {
      throw new IllegalArgumentException("need a run of at least one segment and a lane");
    }
    this.g = g;
    this.segs = g.numSegments();
    this.run = run;
    this.runs = (segs + run - 1) / run;
    this.sinks = sinks;
    this.dataOffset = dataOffset;
    this.free = new ArrayDeque<>(lanes);
    this.computed = new Lane[runs];
  }

  /**
   * Segments per run: about {@link #RUN_SOURCE_BYTES} of source blocks, but never so many that a
   * short file has fewer than two runs per lane, which would leave threads idle.
   */
  static int runLength(ChkGeometry g, int lanes) {
    long perSegment = (long) g.k() * g.blockSize();
    int bySize = (int) Math.max(1, RUN_SOURCE_BYTES / Math.max(1, perSegment));
    int byCount = Math.max(1, g.numSegments() / (2 * lanes));
    return Math.min(bySize, byCount);
  }

  /**
   * Rebuilds and writes every segment, with up to {@code helpers} pool tasks helping; returns
   * once every run is written and no helper touches a lane any more.
   */
  void run(Executor executor, int helpers)
      throws NotEnoughSharesException, CorruptFileException, StorageException {
    synchronized (this) {
      caller = Thread.currentThread();
    }
    for (int i = 0; i < helpers; i++) {
      try {
        executor.execute(this::help);
      } catch (RejectedExecutionException e) {
        break; // a saturated or shut-down pool: this thread does the work
      }
    }
    boolean interrupted = false;
    try {
      while (true) {
        Lane toWrite;
        Lane toCompute = null;
        int r = -1;
        synchronized (this) {
          if (failure != null || nextWrite == runs) {
            break;
          }
          toWrite = computed[nextWrite];
          if (toWrite != null) {
            computed[nextWrite] = null;
          } else if (nextRun < runs && !free.isEmpty()) {
            toCompute = free.poll();
            r = nextRun++;
          } else {
            try {
              wait(); // the next run is being computed by a helper
            } catch (InterruptedException e) {
              interrupted = true; // a helper holds that run: it must be finished first
            }
            continue;
          }
        }
        if (toWrite != null) {
          try {
            toWrite.write(sinks, dataOffset);
          } catch (StorageException | RuntimeException | Error e) {
            fail(e);
            break;
          }
          synchronized (this) {
            nextWrite++;
            free.add(toWrite);
            notifyAll();
          }
        } else if (!compute(toCompute, r)) {
          break;
        }
      }
    } finally {
      synchronized (this) {
        finished = true;
        notifyAll();
        // Lanes and sinks are the caller's again only once no helper is inside a run.
        while (activeHelpers > 0) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    Throwable f;
    synchronized (this) {
      f = failure;
    }
    if (f != null) {
      rethrow(f);
    }
  }

  /** A helper task: computes runs while there are runs to claim and a free lane to claim one with. */
  private void help() {
    synchronized (this) {
      if (finished || failure != null) {
        return; // started too late (or after a failure): nothing to do
      }
      if (Thread.currentThread() == caller) {
        return; // an executor that runs tasks inline: the caller's own loop does the work
      }
      activeHelpers++;
    }
    try {
      while (true) {
        Lane lane;
        int r;
        synchronized (this) {
          while (!finished && failure == null && nextRun < runs && free.isEmpty()) {
            wait();
          }
          if (finished || failure != null || nextRun >= runs) {
            return;
          }
          lane = free.poll();
          r = nextRun++;
        }
        if (!compute(lane, r)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the pool is shutting down: the caller carries on
    } finally {
      synchronized (this) {
        activeHelpers--;
        notifyAll();
      }
    }
  }

  /** Computes run r into lane; false (with the failure recorded) if that failed. */
  private boolean compute(Lane lane, int r) {
    int s0 = r * run;
    try {
      lane.compute(s0, Math.min(run, segs - s0));
    } catch (NotEnoughSharesException | CorruptFileException | RuntimeException | Error e) {
      fail(e);
      return false;
    }
    synchronized (this) {
      computed[r] = lane;
      notifyAll();
    }
    return true;
  }

  private synchronized void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
    notifyAll();
  }

  private static void rethrow(Throwable c)
      throws NotEnoughSharesException, CorruptFileException, StorageException {
    if (c instanceof NotEnoughSharesException x) {
      throw x;
    }
    if (c instanceof CorruptFileException x) {
      throw x;
    }
    if (c instanceof StorageException x) {
      throw x;
    }
    if (c instanceof RuntimeException x) {
      throw x;
    }
    if (c instanceof Error x) {
      throw x;
    }
    throw new IllegalStateException("rebuild lane failed", c);
  }

  /**
   * One thread's worth of rebuild state at a time: a fetcher, and the block buffers of every row
   * for a run of consecutive segments.
   */
  static final class Lane {
    final SegmentFetcher fetcher;
    private final ChkGeometry g;
    private final TreeSet<Integer> rows;
    private final int[] checkRows;
    private final byte[][] leaves;
    private final Slot[] slots;
    private final TaggedHasher hasher = new TaggedHasher(Hashes.TAG_BLOCK);
    private final CRC32C crc = new CRC32C();
    private final int[][] crcs;
    private final ErasureCodec codec;
    private int first = -1;
    private int count;

    /**
     * @param leaves per row (share number), where each segment's block hash goes
     * @param crcs per written row, where each segment's block CRC-32C goes (null: not written)
     * @param direct decode straight into the rows (sources verified beforehand), instead of
     *     decoding primaries that the fetcher checks and encoding the check rows from them
     */
    Lane(SegmentFetcher fetcher, ChkGeometry g, TreeSet<Integer> rows, int[] checkRows,
        byte[][] leaves, int[][] crcs, boolean direct, int run) {
      this.fetcher = fetcher;
      this.crcs = crcs;
      this.g = g;
      this.rows = rows;
      this.leaves = leaves;
      this.checkRows = direct ? new int[0] : checkRows;
      int[] directRows = direct ? rows.stream().mapToInt(Integer::intValue).toArray() : null;
      this.slots = new Slot[run];
      for (int i = 0; i < run; i++) {
        slots[i] = new Slot(g, rows, this.checkRows, directRows);
      }
      this.codec = ErasureCodec.of(g.k(), g.n());
    }

    /** Recovers segments s0 .. s0+count-1, encodes the wanted rows and hashes every row's block. */
    void compute(int s0, int count) throws NotEnoughSharesException, CorruptFileException {
      first = -1;
      for (int i = 0; i < count; i++) {
        compute(s0 + i, slots[i]);
      }
      first = s0;
      this.count = count;
    }

    private void compute(int s, Slot slot) throws NotEnoughSharesException, CorruptFileException {
      int blen = g.blockSize(s);
      if (slot.directRows != null) {
        fetcher.fetchRows(s, slot.directRows, slot.directOut);
      } else {
        fetcher.fetch(s, slot.primary);
        if (checkRows.length > 0) {
          codec.encodeInto(slot.primary, 0, blen, checkRows, slot.check, 0);
        }
      }
      for (int r : rows) {
        hasher.hash(slot.rowBlock[r], 0, blen, leaves[r], s * Hashes.HASH_LENGTH);
        if (crcs[r] != null) {
          crc.reset();
          crc.update(slot.rowBlock[r], 0, blen);
          crcs[r][s] = (int) crc.getValue();
        }
      }
    }

    /** Writes the computed run to the sinks. */
    void write(TreeMap<Integer, ShareSink> sinks, long dataOffset) throws StorageException {
      if (first < 0) {
        throw new IllegalStateException("no segment computed");
      }
      for (int i = 0; i < count; i++) {
        int segment = first + i;
        int blen = g.blockSize(segment);
        long at = dataOffset + (long) segment * g.blockSize();
        for (Map.Entry<Integer, ShareSink> e : sinks.entrySet()) {
          e.getValue().write(at, ByteBuffer.wrap(slots[i].rowBlock[e.getKey()], 0, blen).asReadOnlyBuffer());
        }
      }
    }
  }

  /** The block buffers of one segment: every row's block, by share number. */
  private static final class Slot {
    final byte[][] rowBlock;
    final byte[][] primary;
    final byte[][] check;
    /** The rows decoded straight from the sources (shared by a lane's slots), or null. */
    final int[] directRows;
    final byte[][] directOut;

    Slot(ChkGeometry g, TreeSet<Integer> rows, int[] checkRows, int[] directRows) {
      int bs = g.blockSize();
      rowBlock = new byte[g.n()][];
      this.directRows = directRows;
      if (directRows != null) {
        primary = null;
        check = null;
        directOut = new byte[directRows.length][bs];
        for (int i = 0; i < directRows.length; i++) {
          rowBlock[directRows[i]] = directOut[i];
        }
      } else {
        directOut = null;
        primary = new byte[g.k()][bs];
        check = new byte[checkRows.length][bs];
        for (int r : rows) {
          rowBlock[r] = r < g.k() ? primary[r] : null;
        }
        for (int i = 0; i < checkRows.length; i++) {
          rowBlock[checkRows[i]] = check[i];
        }
      }
    }
  }
}
