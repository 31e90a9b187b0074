package org.lafsrepair.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * Asks every server, in parallel, which shares it holds for a storage index. A server that fails
 * or does not answer within the timeout is reported as not responding; it never stalls the
 * others beyond the timeout.
 *
 * <p>How the work is spread: a task per server costs a thread hand-off each (two context
 * switches), far more than listing a local or in-memory server. So servers whose recent listings
 * were quick share a few workers, each taking the next server not yet asked: one, plus one per
 * 50 µs of expected listing time, at most one per processor; a server whose recent listings were slow (remote, stalled, dead) gets a worker
 * of its own at once. A shared worker still busy with one listing after {@code hedge} cannot be
 * counted on: a worker is then started for every server not yet taken, so an unexpectedly slow
 * server delays the others by at most {@code hedge}. The timeout bounds the whole round; listings
 * still running then are interrupted and reported as not answering.
 *
 * <p>Thread-safe; one locator may serve concurrent rounds.
 */
final class ShareLocator {
  /** Listings slower than this (on average, recently) get a worker of their own. */
  static final Duration DEFAULT_HEDGE = Duration.ofMillis(1);
  /** Expected listing time that justifies one more shared worker. */
  static final Duration WORK_PER_WORKER = Duration.ofMillis(1).dividedBy(20);
  private static final long WORK_PER_WORKER_NANOS = WORK_PER_WORKER.toNanos();
  // Bounds the latency memory if a caller keeps passing new server objects.
  private static final int MAX_REMEMBERED_SERVERS = 4096;

  private final ExecutorService executor;
  private final Duration timeout;
  private final int parallelism;
  private final long hedgeNanos;
  // Recent listing latency per server, an exponentially weighted mean (weight 1/4 on the newest).
  // A heuristic: a stale or racy value costs a hand-off or one hedge delay, never a wrong answer.
  private final Map<StorageServer, Long> latency = new ConcurrentHashMap<>();

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
    try {
      round.start();
      round.await(deadline);
    } finally {
      round.close();
    }
    List<Answer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Answer a = round.answer(i);
      out.add(a != null ? a
          : new Answer(round.servers.get(i), List.of(), "no answer within " + timeout.toMillis() + " ms"));
    }
    return out;
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

  /** The state of one {@link #locate} call, guarded by its own monitor. */
  private final class Round {
    final List<StorageServer> servers;
    final StorageIndex si;
    final Answer[] answers;
    final Thread[] runners;
    final long[] started;
    final boolean[] interruptedByUs;
    // Indexes of the servers the shared workers take in turn; queue[next..] are not yet taken.
    final int[] queue;
    int queued;
    int next;
    int answered;
    // Shared workers submitted and not yet exited (running a listing, between two, or queued).
    int workers;
    // Shared workers running a listing now.
    int busy;
    boolean closed;
    // A shared worker ran past the hedge: every server left gets a worker of its own.
    boolean hedged;

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

    void start() {
      List<Integer> dedicated = new ArrayList<>();
      for (int i = 0; i < servers.size(); i++) {
        if (seemsSlow(servers.get(i))) {
          dedicated.add(i);
        } else {
          queue[queued++] = i;
        }
      }
      for (int i : dedicated) {
        executor.execute(() -> runDedicated(i));
      }
      if (queued > 0) {
        spawnShared(sharedWorkers());
      }
    }

    /**
     * One worker, plus one per {@link #WORK_PER_WORKER} of expected listing time, at most {@code
     * parallelism}: a second worker is worth its hand-off only when there is enough to share.
     */
    private int sharedWorkers() {
      long expected = 0;
      for (int k = 0; k < queued; k++) {
        Long l = latency.get(servers.get(queue[k]));
        expected += l != null ? l : 0;
      }
      long wanted = 1 + expected / WORK_PER_WORKER_NANOS;
      return (int) Math.min(wanted, Math.min(queued, parallelism));
    }

    /** Submits shared workers; the executor's rejection propagates, as it did per task. */
    void spawnShared(int count) {
      for (int k = 0; k < count; k++) {
        synchronized (this) {
          workers++;
        }
        try {
          executor.execute(this::runShared);
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
          if (closed || next == queued) {
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

    private void claim(int i) {
      runners[i] = Thread.currentThread();
      started[i] = System.nanoTime();
    }

    private void list(int i) {
      StorageServer s = servers.get(i);
      Answer a = ask(s);
      boolean clearInterrupt;
      long took;
      synchronized (this) {
        runners[i] = null;
        took = System.nanoTime() - started[i];
        clearInterrupt = interruptedByUs[i];
        if (!closed) {
          answers[i] = a;
          answered++;
          if (answered == servers.size()) {
            notifyAll();
          }
        }
      }
      if (!clearInterrupt) {
        // (A listing cut short by the timeout was recorded by close(), at its full length.)
        record(s, took);
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
          int left = queued - next;
          if (left > 0) {
            if (!hedged) {
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
