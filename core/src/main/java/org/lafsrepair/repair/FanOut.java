package org.lafsrepair.repair;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a batch of independent calls against servers (list, verify, commit and read back) on a
 * pool, with one deadline for the batch, without paying a thread hand-off per call.
 *
 * <p>A task per call costs two context switches, far more than a call to a local disk or an
 * in-memory server takes. So calls share a few workers (as many as there are processors), each
 * taking the next call not yet started. A call cannot be counted on to be quick, though: once a
 * shared worker has been busy with one call for longer than {@code hedge}, a worker is started for
 * every call not yet taken, so one slow server delays the others by at most the hedge. Calls
 * still running at the deadline are interrupted and reported as unfinished; a worker's own
 * interrupt never leaks into the pool thread's next task.
 *
 * <p>Thread-safe; one instance may serve concurrent batches.
 */
final class FanOut {
  private final ExecutorService executor;
  private final int parallelism;
  private final long hedgeNanos;

  FanOut(ExecutorService executor, int parallelism, long hedgeNanos) {
    this.executor = Objects.requireNonNull(executor, "executor");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    if (hedgeNanos <= 0) {
      throw new IllegalArgumentException("hedge must be positive");
    }
    this.parallelism = parallelism;
    this.hedgeNanos = hedgeNanos;
  }

  /** One call of a batch. Must not throw: failures are part of its answer. */
  @FunctionalInterface
  interface Call<T> {
    T call();
  }

  /**
   * Runs every call and returns their answers in order; a call not finished by {@code
   * deadlineNanos} (a {@link System#nanoTime()} value) is answered by {@code unfinished}.
   *
   * @throws InterruptedException if the calling thread is interrupted while waiting (running
   *     calls are interrupted too)
   */
  <T> List<T> run(List<? extends Call<T>> calls, long deadlineNanos, Function<Integer, T> unfinished)
      throws InterruptedException {
    int n = calls.size();
    if (n == 0) {
      return List.of();
    }
    Batch<T> batch = new Batch<>(List.copyOf(calls));
    try {
      batch.spawn(Math.min(n, parallelism));
      batch.await(deadlineNanos);
    } finally {
      batch.close();
    }
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      T a = batch.answer(i);
      out.add(a != null ? a : unfinished.apply(i));
    }
    return out;
  }

  /** The state of one {@link #run}, guarded by its own monitor. */
  private final class Batch<T> {
    final List<Call<T>> calls;
    final Object[] answers;
    final Thread[] runners;
    final long[] started;
    final boolean[] interruptedByUs;
    int next;
    int answered;
    int workers;
    int busy;
    boolean closed;
    boolean hedged;

    Batch(List<Call<T>> calls) {
      this.calls = calls;
      int n = calls.size();
      answers = new Object[n];
      runners = new Thread[n];
      started = new long[n];
      interruptedByUs = new boolean[n];
    }

    @SuppressWarnings("unchecked")
    synchronized T answer(int i) {
      return (T) answers[i];
    }

    void spawn(int count) {
      for (int k = 0; k < count; k++) {
        synchronized (this) {
          workers++;
        }
        try {
          executor.execute(this::work);
        } catch (RuntimeException e) {
          synchronized (this) {
            workers--;
          }
          throw e;
        }
      }
    }

    private void work() {
      while (true) {
        int i;
        synchronized (this) {
          if (closed || next == calls.size()) {
            workers--;
            return;
          }
          i = next++;
          busy++;
          runners[i] = Thread.currentThread();
          started[i] = System.nanoTime();
        }
        T a;
        try {
          a = calls.get(i).call();
        } catch (RuntimeException | Error e) {
          a = null; // a broken call is unfinished, never a wrong answer
        }
        boolean clearInterrupt;
        synchronized (this) {
          runners[i] = null;
          busy--;
          clearInterrupt = interruptedByUs[i];
          if (!closed && a != null) {
            answers[i] = a;
          }
          if (!closed) {
            answered++;
            if (answered == calls.size()) {
              notifyAll();
            }
          }
        }
        if (clearInterrupt) {
          Thread.interrupted();
        }
      }
    }

    /** Waits until every call finished or the deadline passed, hedging stalled workers. */
    void await(long deadline) throws InterruptedException {
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
          int left = calls.size() - next;
          if (left > 0) {
            if (!hedged) {
              for (int i = 0; i < next; i++) {
                if (runners[i] != null && now - started[i] >= hedgeNanos) {
                  hedged = true;
                  break;
                }
              }
            }
            if (hedged) {
              extra = Math.max(0, left - (workers - busy));
            } else {
              wait = Math.min(wait, hedgeNanos);
            }
          }
          if (extra == 0) {
            TimeUnit.NANOSECONDS.timedWait(this, wait);
          }
        }
        if (extra > 0) {
          spawn(extra);
        }
      }
    }

    /** Stops workers taking more calls and interrupts calls still running. */
    void close() {
      synchronized (this) {
        closed = true;
        for (int i = 0; i < runners.length; i++) {
          if (runners[i] != null) {
            interruptedByUs[i] = true;
            runners[i].interrupt();
          }
        }
      }
    }
  }
}
