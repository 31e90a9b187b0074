package org.lafsrepair.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * Asks every server, in parallel, which shares it holds for a storage index. A server that fails
 * or does not answer within the timeout is reported as not responding; a {@link Locality#REMOTE}
 * server never stalls the others beyond the timeout.
 *
 * <p>How the work is spread: a task per server costs a thread hand-off each (two context
 * switches), far more than listing a local or in-memory server. So servers whose recent listings
 * were quick share a few workers, each taking the next server not yet asked (one, plus one per 50
 * µs of expected listing time, at most one per processor); a server whose recent listings were
 * slow (remote, stalled, dead) gets a worker of its own at once. A shared worker still busy with
 * one listing after {@code hedge} cannot be counted on: a worker is then started for every
 * server not yet taken, so an unexpectedly slow server delays the others by at most {@code
 * hedge}. The timeout bounds the whole round; listings still running then are interrupted and
 * reported as not answering.
 *
 * <p>The calling thread lists too: it takes, from the other end of the queue, the servers that
 * are {@link Locality#LOCAL} and were quick lately, and counts as one of the threads the round
 * wants. It never takes a remote server, nor one it knows nothing of yet, so only a stall of local
 * storage in a listing it runs itself (a disk's I/O stall) can hold it past the timeout, and only
 * by that listing's length. Alone, a caller of quick local servers needs no hand-off at all;
 * among concurrent rounds, which keep the processors busy anyway, callers list their local
 * servers themselves.
 *
 * <p>Waiting: a round of quick servers expected to end within {@value #MAX_SPIN_MICROS} µs is
 * awaited spinning (on a processor the workers leave free), since waking a parked caller costs
 * tens of microseconds; only when no other round of this locator is running, as concurrent
 * callers already keep the processors busy. Past the spin the caller parks as usual. For the
 * same reason a worker that finished such a round spins up to {@value #LINGER_MICROS} µs for the
 * next one before it returns to the pool: a caller checking file after file is back by then.
 *
 * <p>Thread-safe; one locator may serve concurrent rounds.
 */
final class ShareLocator {
  /** Listings slower than this (on average, recently) get a worker of their own. */
  static final Duration DEFAULT_HEDGE = Duration.ofMillis(1);
  /** Expected listing time that justifies one more shared worker. */
  static final Duration WORK_PER_WORKER = Duration.ofNanos(50_000);
  private static final long WORK_PER_WORKER_NANOS = WORK_PER_WORKER.toNanos();
  // The longest a caller spins for a round expected to end soon, rather than park: waking a
  // parked thread costs tens of microseconds (more on a virtual machine), as much as listing a
  // few local servers.
  static final int MAX_SPIN_MICROS = 200;
  private static final long MAX_SPIN_NANOS = MAX_SPIN_MICROS * 1000L;
  // Allowance for a pool thread to wake up and start listing.
  private static final long WAKE_UP_NANOS = 50_000;
  // How long a worker of a quick round spins for the next round before it returns to the pool:
  // a caller checking file after file comes back within microseconds.
  static final int LINGER_MICROS = 100;
  private static final long LINGER_NANOS = LINGER_MICROS * 1000L;
  // Bounds the latency memory if a caller keeps passing new server objects.
  private static final int MAX_REMEMBERED_SERVERS = 4096;

  private final ExecutorService executor;
  private final Duration timeout;
  private final int parallelism;
  private final long hedgeNanos;
  // Recent listing latency per server, an exponentially weighted mean (weight 1/4 on the newest).
  // A heuristic: a stale or racy value costs a hand-off or one hedge delay, never a wrong answer.
  private final Map<StorageServer, Long> latency = new ConcurrentHashMap<>();
  private final AtomicInteger roundsInFlight = new AtomicInteger();
  // A round handed to a worker that is spinning after a quick round, and how many such workers
  // there are.
  private final AtomicReference<Round> offered = new AtomicReference<>();
  private final AtomicInteger lingering = new AtomicInteger();

  ShareLocator(ExecutorService executor, Duration timeout) {
    this(executor, timeout, Runtime.getRuntime().availableProcessors(), DEFAULT_HEDGE);
  }

  ShareLocator(ExecutorService executor, Duration timeout, int parallelism, Duration hedge) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    if (hedge.isNegative() || hedge.isZero()) {
      throw new IllegalArgumentException("hedge must be positive");
    }
    this.parallelism = parallelism;
    this.hedgeNanos = hedge.toNanos();
  }

  /** One server's answer. */
  record Answer(StorageServer server, List<ShareInfo> shares, String failure) {
    boolean responded() {
      return failure == null;
    }
  }

  /** Answers in the order of {@code servers} (callers pass the permuted order). */
  List<Answer> locate(List<StorageServer> servers, StorageIndex si) throws InterruptedException {
    Objects.requireNonNull(si, "si");
    int n = servers.size();
    if (n == 0) {
      return List.of();
    }
    Round round = new Round(List.copyOf(servers), si);
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean alone = roundsInFlight.incrementAndGet() == 1;
    try {
      round.start(alone);
      round.await(deadline);
    } finally {
      round.close();
      roundsInFlight.decrementAndGet();
    }
    List<Answer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Answer a = round.answer(i);
      out.add(a != null ? a
          : new Answer(round.servers.get(i), List.of(), "no answer within " + timeout.toMillis() + " ms"));
    }
    return out;
  }

  /** Whether the calling thread may list {@code s} itself: local, and quick lately. */
  private boolean listableByCaller(StorageServer s) {
    Long l = latency.get(s);
    return l != null && l < hedgeNanos && s.locality() == Locality.LOCAL;
  }

  /** Whether {@code s}'s recent listings took longer than the hedge (unknown servers: no). */
  boolean seemsSlow(StorageServer s) {
    Long l = latency.get(s);
    return l != null && l >= hedgeNanos;
  }

  private void record(StorageServer s, long nanos) {
    if (latency.size() >= MAX_REMEMBERED_SERVERS && !latency.containsKey(s)) {
      latency.clear();
    }
    latency.merge(s, nanos, (old, now) -> old + (now - old) / 4);
  }

  /** Runs a round's shared work; after a quick round, spins a little for the next to arrive. */
  private void drive(Round first) {
    Round r = first;
    while (r != null) {
      r.runShared();
      r = r.quick ? linger() : null;
    }
  }

  private Round linger() {
    lingering.incrementAndGet();
    try {
      long until = System.nanoTime() + LINGER_NANOS;
      while (System.nanoTime() - until < 0 && !Thread.currentThread().isInterrupted()) {
        Round r = offered.get();
        if (r != null && offered.compareAndSet(r, null)) {
          return r;
        }
        Thread.onSpinWait();
      }
    } finally {
      lingering.decrementAndGet();
    }
    // Offered while this worker was leaving: its caller counts on it.
    Round r = offered.get();
    return r != null && offered.compareAndSet(r, null) ? r : null;
  }

  /** The state of one {@link #locate} call, guarded by its own monitor. */
  private final class Round {
    final List<StorageServer> servers;
    final StorageIndex si;
    final Answer[] answers;
    final Thread[] runners;
    final long[] started;
    final boolean[] interruptedByUs;
    // Indexes of the servers not given a worker of their own: shared workers take them from the
    // front, the caller from the back; queue[next..end) are not yet taken. The caller's servers
    // are queue[forCaller..queued).
    final int[] queue;
    int queued;
    int forCaller;
    int next;
    int end;
    int answered;
    // Shared workers submitted and not yet exited (running a listing, between two, or queued).
    int workers;
    // Shared workers running a listing now.
    int busy;
    boolean closed;
    // A shared worker ran past the hedge: every server left gets a worker of its own.
    boolean hedged;
    // Every server answered; read without the lock by a spinning caller.
    volatile boolean complete;
    // How long the caller may spin before it parks (0: park at once).
    long spinNanos;
    // A quick round: its workers linger for the next one. Set before any worker starts.
    boolean quick;

    Round(List<StorageServer> servers, StorageIndex si) {
      this.servers = servers;
      this.si = si;
      int n = servers.size();
      answers = new Answer[n];
      runners = new Thread[n];
      started = new long[n];
      interruptedByUs = new boolean[n];
      queue = new int[n];
    }

    synchronized Answer answer(int i) {
      return answers[i];
    }

    /**
     * Starts the workers, then lists the caller's share of the servers; {@code alone}: no other
     * round of this locator is running.
     */
    void start(boolean alone) {
      int n = servers.size();
      List<Integer> dedicated = new ArrayList<>();
      int[] mine = new int[n];
      int mineCount = 0;
      boolean callerMayList = !Thread.currentThread().isInterrupted();
      for (int i = 0; i < n; i++) {
        StorageServer s = servers.get(i);
        if (seemsSlow(s)) {
          dedicated.add(i);
        } else if (callerMayList && listableByCaller(s)) {
          mine[mineCount++] = i;
        } else {
          queue[queued++] = i;
        }
      }
      forCaller = queued;
      System.arraycopy(mine, 0, queue, queued, mineCount);
      queued += mineCount;
      end = queued;
      for (int i : dedicated) {
        executor.execute(() -> runDedicated(i));
      }
      if (queued == 0) {
        return;
      }
      long expected = 0;
      boolean known = true;
      for (int k = 0; k < queued; k++) {
        Long l = latency.get(servers.get(queue[k]));
        known &= l != null;
        expected += l != null ? l : 0;
      }
      // Threads wanted: one, plus one per WORK_PER_WORKER of expected listing time (a second is
      // worth its hand-off only when there is enough to share), at most one per processor. A
      // caller that spins holds a processor: leave the others to the workers. Concurrent callers
      // keep every processor busy anyway; there, spinning would only take time from their workers,
      // and a caller with servers of its own lists them without help.
      boolean spin = alone && known && dedicated.isEmpty() && parallelism > 1;
      long wanted = Math.min(1 + expected / WORK_PER_WORKER_NANOS, queued);
      int count;
      if (mineCount > 0) {
        int helpers = alone ? (int) Math.min(wanted - 1, parallelism - 1) : 0;
        count = Math.max(helpers, forCaller > 0 ? 1 : 0);
      } else {
        count = (int) Math.min(wanted, spin ? parallelism - 1 : parallelism);
      }
      // A caller that listed its share waits at most about one listing for the workers; else it
      // waits for all their work, and spins only if that is expected to end soon.
      long wait = mineCount > 0 ? 0 : expected / count;
      if (spin && count > 0 && wait <= MAX_SPIN_NANOS - WAKE_UP_NANOS) {
        spinNanos = mineCount > 0 ? MAX_SPIN_NANOS : wait + WAKE_UP_NANOS;
        quick = true;
        if (offerToLingeringWorker()) {
          count--;
        }
      }
      spawnShared(count);
      if (mineCount > 0) {
        runCallersShare();
      }
    }

    /**
     * Hands this round to a worker still spinning after the previous quick round, which saves
     * waking a parked one. An offer is withdrawn if the last such worker left meanwhile; a worker
     * leaving looks for an offer once more after it stops counting itself, so none is stranded.
     */
    private boolean offerToLingeringWorker() {
      if (lingering.get() == 0) {
        return false;
      }
      synchronized (this) {
        workers++;
      }
      if (offered.compareAndSet(null, this)
          && (lingering.get() > 0 || !offered.compareAndSet(this, null))) {
        return true;
      }
      synchronized (this) {
        workers--;
      }
      return false;
    }

    /** Submits shared workers; the executor's rejection propagates, as it did per task. */
    void spawnShared(int count) {
      for (int k = 0; k < count; k++) {
        synchronized (this) {
          workers++;
        }
        try {
          executor.execute(() -> drive(this));
        } catch (RuntimeException e) {
          synchronized (this) {
            workers--;
          }
          throw e;
        }
      }
    }

    private void runDedicated(int i) {
      synchronized (this) {
        if (closed) {
          return;
        }
        claim(i);
      }
      list(i);
    }

    private void runShared() {
      while (true) {
        int i;
        synchronized (this) {
          if (closed || next == end) {
            workers--;
            return;
          }
          i = queue[next++];
          busy++;
          claim(i);
        }
        list(i);
        synchronized (this) {
          busy--;
        }
      }
    }

    /** The caller lists its servers from the back of the queue until none is left. */
    private void runCallersShare() {
      while (!Thread.currentThread().isInterrupted()) {
        int i;
        synchronized (this) {
          if (closed || end == next || end == forCaller) {
            return;
          }
          i = queue[--end];
          claim(i);
        }
        list(i);
      }
    }

    private void claim(int i) {
      runners[i] = Thread.currentThread();
      started[i] = System.nanoTime();
    }

    private void list(int i) {
      StorageServer s = servers.get(i);
      Answer a = ask(s);
      boolean clearInterrupt;
      synchronized (this) {
        runners[i] = null;
        clearInterrupt = interruptedByUs[i];
        if (!clearInterrupt) {
          // Before the answer counts, so the round's caller sees it. (A listing cut short by
          // the timeout was recorded by close(), at its full length.)
          record(s, System.nanoTime() - started[i]);
        }
        if (!closed) {
          answers[i] = a;
          answered++;
          if (answered == servers.size()) {
            complete = true;
            notifyAll();
          }
        }
      }
      if (clearInterrupt) {
        // Our own cancellation must not leak into the pool thread's next task.
        Thread.interrupted();
      }
    }

    private Answer ask(StorageServer s) {
      try {
        return new Answer(s, List.copyOf(s.listShares(si)), null);
      } catch (StorageException e) {
        return new Answer(s, List.of(), e.getMessage());
      } catch (Throwable t) {
        // A broken backend is a non-responding server, not a failed check.
        return new Answer(s, List.of(), t.toString());
      }
    }

    /** Waits until every server answered or the deadline passed, hedging stalled workers. */
    void await(long deadline) throws InterruptedException {
      if (spinNanos > 0) {
        long until = System.nanoTime() + spinNanos;
        while (!complete && System.nanoTime() - until < 0) {
          Thread.onSpinWait();
        }
      }
      while (true) {
        int extra = 0;
        synchronized (this) {
          if (answered == servers.size()) {
            return;
          }
          long now = System.nanoTime();
          long wait = deadline - now;
          if (wait <= 0) {
            return;
          }
          int left = end - next;
          if (left > 0) {
            if (!hedged) {
              // Only shared workers can be stuck here: the caller's own listings are over.
              for (int k = 0; k < next; k++) {
                int i = queue[k];
                if (runners[i] != null && now - started[i] >= hedgeNanos) {
                  hedged = true;
                  break;
                }
              }
            }
            if (hedged) {
              extra = Math.max(0, left - (workers - busy));
            } else {
              // Polled only while servers wait to be taken; a quick round ends long before.
              wait = Math.min(wait, hedgeNanos);
            }
          }
          if (extra == 0) {
            TimeUnit.NANOSECONDS.timedWait(this, wait);
          }
        }
        if (extra > 0) {
          spawnShared(extra);
        }
      }
    }

    /** Stops workers taking more servers and interrupts listings still running. */
    void close() {
      long now = System.nanoTime();
      List<StorageServer> stalled = new ArrayList<>();
      List<Long> elapsed = new ArrayList<>();
      synchronized (this) {
        closed = true;
        for (int i = 0; i < runners.length; i++) {
          if (runners[i] != null) {
            interruptedByUs[i] = true;
            runners[i].interrupt();
            stalled.add(servers.get(i));
            elapsed.add(now - started[i]);
          }
        }
      }
      // So that the next round gives a stalled server a worker of its own from the start.
      for (int k = 0; k < stalled.size(); k++) {
        record(stalled.get(k), Math.max(hedgeNanos, elapsed.get(k)));
      }
    }
  }
}
