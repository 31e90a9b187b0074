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
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.lafsrepair.mutable.ServerQueries;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.StorageServer;

/**
 * Runs rounds of independent calls against servers (list, verify, commit and read back) in
 * parallel, with one deadline per round. A call that is not done by the deadline is reported as
 * unfinished; a call to a {@link Locality#REMOTE} server never holds the round past the deadline.
 *
 * <p>How the work is spread: a task per call costs a thread hand-off each (two context switches),
 * far more than a call to a local disk or an in-memory server takes. So calls to servers whose
 * recent calls were quick share a few workers, each taking the next call not yet started (one, plus
 * one per 50 µs of expected work, at most one per processor). A call to a server whose recent calls
 * were slow (remote, stalled, dead; a moving mean per server) gets a worker of its own at once. A
 * shared worker still busy with one call after {@code hedge} cannot be counted on: a worker is
 * then started for every call not yet taken, so an unexpectedly slow server delays the others by
 * at most {@code hedge}. Calls still running at the deadline are interrupted; a worker's own
 * interrupt never leaks into the pool thread's next task.
 *
 * <p>The calling thread works too: it takes, from the other end of the queue, the calls to
 * servers that are {@link Locality#LOCAL} and were quick lately, and counts as one of the threads
 * the round wants. It never takes a call to a remote server, nor one to a server it knows nothing
 * of yet (nor a call of no particular server), so only a stall of local storage in a call it runs
 * itself (a disk's I/O stall) can hold it past the deadline, and only by that call's length.
 * Alone, a caller of quick local servers needs no hand-off at all; among concurrent rounds, which
 * keep the processors busy anyway, callers run their local calls themselves.
 *
 * <p>Waiting: a round of quick calls expected to end within {@value #MAX_SPIN_MICROS} µs is
 * awaited spinning (on a processor the workers leave free), since waking a parked caller costs
 * tens of microseconds; only when no other round of this instance is running, as concurrent
 * callers already keep the processors busy. Past the spin the caller parks as usual. For the same
 * reason a worker that finished such a round spins up to {@value #LINGER_MICROS} µs for the next
 * one before it returns to the pool: a caller working file after file is back by then.
 *
 * <p>Latencies are remembered per instance: use one instance per kind of call (listing, verifying,
 * committing), since their lengths differ. Thread-safe; one instance may serve concurrent rounds.
 */
final class ServerCalls implements ServerQueries {
  /** Calls slower than this (on average, recently) get a worker of their own. */
  static final Duration DEFAULT_HEDGE = Duration.ofMillis(1);
  /** Expected work that justifies one more shared worker. */
  static final Duration WORK_PER_WORKER = Duration.ofNanos(50_000);
  private static final long WORK_PER_WORKER_NANOS = WORK_PER_WORKER.toNanos();
  // The longest a caller spins for a round expected to end soon, rather than park: waking a
  // parked thread costs tens of microseconds (more on a virtual machine), as much as listing a
  // few local servers.
  static final int MAX_SPIN_MICROS = 200;
  private static final long MAX_SPIN_NANOS = MAX_SPIN_MICROS * 1000L;
  // Allowance for a pool thread to wake up and start working.
  private static final long WAKE_UP_NANOS = 50_000;
  // How long a worker of a quick round spins for the next round before it returns to the pool:
  // a caller working file after file comes back within microseconds.
  static final int LINGER_MICROS = 100;
  private static final long LINGER_NANOS = LINGER_MICROS * 1000L;
  // Bounds the latency memory if a caller keeps passing new server objects.
  private static final int MAX_REMEMBERED_SERVERS = 4096;

  private final ExecutorService executor;
  private final int parallelism;
  private final long hedgeNanos;
  // Recent call latency per server, an exponentially weighted mean (weight 1/4 on the newest).
  // A heuristic: a stale or racy value costs a hand-off or one hedge delay, never a wrong answer.
  private final Map<StorageServer, Long> latency = new ConcurrentHashMap<>();
  private final AtomicInteger roundsInFlight = new AtomicInteger();
  // A round handed to a worker that is spinning after a quick round, and how many such workers
  // there are.
  private final AtomicReference<Round<?>> offered = new AtomicReference<>();
  private final AtomicInteger lingering = new AtomicInteger();

  /** One shared worker per processor at most, hedged after {@link #DEFAULT_HEDGE}. */
  ServerCalls(ExecutorService executor) {
    this(executor, Runtime.getRuntime().availableProcessors(), DEFAULT_HEDGE);
  }

  ServerCalls(ExecutorService executor, int parallelism, Duration hedge) {
    this.executor = Objects.requireNonNull(executor, "executor");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    if (hedge.isNegative() || hedge.isZero()) {
      throw new IllegalArgumentException("hedge must be positive");
    }
    this.parallelism = parallelism;
    this.hedgeNanos = hedge.toNanos();
  }

  /**
   * One call of a round, talking to {@code server} (null: to no server in particular; such a call
   * never runs on the caller and leaves no latency behind). Its body must not throw: failures are
   * part of its answer, and a body that throws anyway counts as unfinished.
   */
  record Call<T>(StorageServer server, Supplier<T> body) {
    Call {
      Objects.requireNonNull(body, "body");
    }

    static <T> Call<T> of(StorageServer server, Supplier<T> body) {
      return new Call<>(server, body);
    }
  }

  /**
   * Runs every call and returns their answers in order; a call not finished by {@code
   * deadlineNanos} (a {@link System#nanoTime()} value), or whose body threw, is answered by
   * {@code unfinished}.
   *
   * @throws InterruptedException if the calling thread is interrupted while waiting (running
   *     calls are interrupted too)
   */
  <T> List<T> run(List<Call<T>> calls, long deadlineNanos, IntFunction<T> unfinished)
      throws InterruptedException {
    int n = calls.size();
    if (n == 0) {
      return List.of();
    }
    Round<T> round = new Round<>(List.copyOf(calls));
    boolean alone = roundsInFlight.incrementAndGet() == 1;
    try {
      round.start(alone);
      round.await(deadlineNanos);
    } finally {
      round.close();
      roundsInFlight.decrementAndGet();
    }
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      T a = round.answer(i);
      out.add(a != null ? a : unfinished.apply(i));
    }
    return out;
  }

  /** A round of one query per server, for {@link org.lafsrepair.mutable.MutableServerMap}. */
  @Override
  public <T> List<T> run(List<? extends StorageServer> servers, List<Supplier<T>> queries, Duration timeout)
      throws InterruptedException {
    if (servers.size() != queries.size()) {
      throw new IllegalArgumentException(servers.size() + " servers but " + queries.size() + " queries");
    }
    List<Call<T>> round = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      round.add(Call.of(servers.get(i), queries.get(i)));
    }
    long now = System.nanoTime();
    // No limit: far enough that now + it cannot overflow, whatever nanoTime's origin.
    Duration far = Duration.ofNanos(Long.MAX_VALUE / 4);
    long deadline = now + (timeout == null || timeout.compareTo(far) > 0 ? far : timeout).toNanos();
    return run(round, deadline, i -> null);
  }

  /** Whether {@code s}'s recent calls took longer than the hedge (unknown servers: no). */
  boolean seemsSlow(StorageServer s) {
    Long l = latencyOf(s);
    return l != null && l >= hedgeNanos;
  }

  /** Whether the calling thread may run a call to {@code s} itself: local, and quick lately. */
  private boolean runnableByCaller(StorageServer s) {
    Long l = latencyOf(s);
    return l != null && l < hedgeNanos && s.locality() == Locality.LOCAL;
  }

  /** {@code s}'s recent mean call time in ns; null if unknown or for calls of no server. */
  private Long latencyOf(StorageServer s) {
    return s == null ? null : latency.get(s);
  }

  private void record(StorageServer s, long nanos) {
    if (s == null) {
      return;
    }
    if (latency.size() >= MAX_REMEMBERED_SERVERS && !latency.containsKey(s)) {
      latency.clear();
    }
    latency.merge(s, nanos, (old, now) -> old + (now - old) / 4);
  }

  /** Runs a round's shared work; after a quick round, spins a little for the next to arrive. */
  private void drive(Round<?> first) {
    Round<?> r = first;
    while (r != null) {
      r.runShared();
      r = r.quick ? linger() : null;
    }
  }

  private Round<?> linger() {
    lingering.incrementAndGet();
    try {
      long until = System.nanoTime() + LINGER_NANOS;
      while (System.nanoTime() - until < 0 && !Thread.currentThread().isInterrupted()) {
        Round<?> r = offered.get();
        if (r != null && offered.compareAndSet(r, null)) {
          return r;
        }
        Thread.onSpinWait();
      }
    } finally {
      lingering.decrementAndGet();
    }
    // Offered while this worker was leaving: its caller counts on it.
    Round<?> r = offered.get();
    return r != null && offered.compareAndSet(r, null) ? r : null;
  }

  /** The state of one {@link #run}, guarded by its own monitor. */
  private final class Round<T> {
    final List<Call<T>> calls;
    final Object[] answers;
    final Thread[] runners;
    final long[] started;
    final boolean[] interruptedByUs;
    // Indexes of the calls not given a worker of their own: shared workers take them from the
    // front, the caller from the back; queue[next..end) are not yet taken. The caller's calls are
    // queue[forCaller..queued).
    final int[] queue;
    int queued;
    int forCaller;
    int next;
    int end;
    int answered;
    // Shared workers submitted and not yet exited (running a call, between two, or queued).
    int workers;
    // Shared workers running a call now.
    int busy;
    boolean closed;
    // A shared worker ran past the hedge: every call left gets a worker of its own.
    boolean hedged;
    // Every call finished; read without the lock by a spinning caller.
    volatile boolean complete;
    // How long the caller may spin before it parks (0: park at once).
    long spinNanos;
    // A quick round: its workers linger for the next one. Set before any worker starts.
    boolean quick;

    Round(List<Call<T>> calls) {
      this.calls = calls;
      int n = calls.size();
      answers = new Object[n];
      runners = new Thread[n];
      started = new long[n];
      interruptedByUs = new boolean[n];
      queue = new int[n];
    }

    @SuppressWarnings("unchecked")
    synchronized T answer(int i) {
      return (T) answers[i];
    }

    /**
     * Starts the workers, then runs the caller's share of the calls; {@code alone}: no other
     * round of this instance is running.
     */
    void start(boolean alone) {
      int n = calls.size();
      List<Integer> dedicated = new ArrayList<>();
      int[] mine = new int[n];
      int mineCount = 0;
      boolean callerMayWork = !Thread.currentThread().isInterrupted();
      for (int i = 0; i < n; i++) {
        StorageServer s = calls.get(i).server();
        if (seemsSlow(s)) {
          dedicated.add(i);
        } else if (callerMayWork && runnableByCaller(s)) {
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
      // Calls of unknown length count as worth a worker each.
      long expected = 0;
      boolean known = true;
      for (int k = 0; k < queued; k++) {
        Long l = latencyOf(calls.get(queue[k]).server());
        known &= l != null;
        expected += l != null ? l : WORK_PER_WORKER_NANOS;
      }
      // Threads wanted: one, plus one per WORK_PER_WORKER of expected work (a second is worth its
      // hand-off only when there is enough to share), at most one per processor. A caller that
      // spins holds a processor: leave the others to the workers. Concurrent callers keep every
      // processor busy anyway; there, spinning would only take time from their workers, and a
      // caller with calls of its own runs them without help.
      boolean spin = alone && known && dedicated.isEmpty() && parallelism > 1;
      long wanted = Math.min(1 + expected / WORK_PER_WORKER_NANOS, queued);
      int count;
      if (mineCount > 0) {
        int helpers = alone ? (int) Math.min(wanted - 1, parallelism - 1) : 0;
        count = Math.max(helpers, forCaller > 0 ? 1 : 0);
      } else {
        count = (int) Math.min(wanted, spin ? parallelism - 1 : parallelism);
      }
      // A caller that ran its share waits at most about one call for the workers; else it waits
      // for all their work, and spins only if that is expected to end soon.
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

    /** Submits shared workers; the executor's rejection propagates. */
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
      execute(i);
    }

    void runShared() {
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
        execute(i);
        synchronized (this) {
          busy--;
        }
      }
    }

    /** The caller runs its calls from the back of the queue until none is left. */
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
        execute(i);
      }
    }

    private void claim(int i) {
      runners[i] = Thread.currentThread();
      started[i] = System.nanoTime();
    }

    private void execute(int i) {
      Call<T> call = calls.get(i);
      T a;
      try {
        a = call.body().get();
      } catch (RuntimeException | Error e) {
        a = null; // a broken call is unfinished, never a wrong answer
      }
      boolean clearInterrupt;
      synchronized (this) {
        runners[i] = null;
        clearInterrupt = interruptedByUs[i];
        if (!clearInterrupt) {
          // Before the answer counts, so the round's caller sees it. (A call cut short by the
          // deadline was recorded by close(), at its full length.)
          record(call.server(), System.nanoTime() - started[i]);
        }
        if (!closed) {
          answers[i] = a;
          answered++;
          if (answered == calls.size()) {
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

    /** Waits until every call finished or the deadline passed, hedging stalled workers. */
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
          if (answered == calls.size()) {
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
              // Only shared workers can be stuck here: the caller's own calls are over.
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
              // Polled only while calls wait to be taken; a quick round ends long before.
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

    /** Stops workers taking more calls and interrupts calls still running. */
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
            stalled.add(calls.get(i).server());
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
