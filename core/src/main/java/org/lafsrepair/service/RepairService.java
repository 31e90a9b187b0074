package org.lafsrepair.service;

import com.google.common.util.concurrent.AbstractExecutionThreadService;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repair service: drains a {@link WorkQueue} through a {@link RepairEngine}.
 *
 * <p>Every claimed item is checked first; items that need repair are then repaired in order of
 * risk, fewest spare shares first (a file one lost share away from being unrecoverable goes before
 * one with plenty to spare). At most {@code threads} checks and repairs run at once, repairs are
 * throttled to a byte rate and a repair rate, and two items with the same storage index are never
 * worked on at once. Unrecoverable and failed attempts are retried under the {@link RetryPolicy},
 * durably (the queue journals the schedule). Outcomes are recorded in the queue before they count,
 * so a crash at any moment loses no finished work.
 *
 * <p>Stopping ({@link #stopAsync}) claims nothing more, gives back items not yet started, waits up
 * to the shutdown timeout for running ones, then interrupts and abandons what is left (giving
 * their claims back: repairs are idempotent, so the next worker just redoes them), and closes the
 * queue. The service owns the queue it is built with.
 *
 * <p>Thread-safe. Built with {@link #builder()}.
 */
public final class RepairService extends AbstractExecutionThreadService {
  private static final Logger LOG = LoggerFactory.getLogger(RepairService.class);
  private static final Duration RATE_WINDOW = Duration.ofSeconds(60);

  private final RepairEngine engine;
  private final WorkQueue queue;
  private final int threads;
  private final Executor hostExecutor;
  private final Throttle bytesThrottle;
  private final Throttle repairsThrottle;
  private final int repairThreshold;
  private final RetryPolicy retryPolicy;
  private final Clock clock;
  private final RepairListener listener;
  private final Duration pollInterval;
  private final int maxPendingItems;
  private final Duration shutdownTimeout;
  private final Duration progressInterval;
  private final boolean stopWhenDrained;
  private final String name;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // Guarded by lock.
  private final PriorityQueue<Task> ready = new PriorityQueue<>();
  private final Map<ItemId, Task> pending = new HashMap<>();
  private final Set<String> busyKeys = new HashSet<>();
  private final Map<Task, Thread> running = new IdentityHashMap<>();
  private final Deque<long[]> rateSamples = new ArrayDeque<>();
  private boolean stopRequested;
  private boolean stopping;
  private long seq;
  private long lastEmptyClaimNanos;
  private boolean lastClaimEmpty;
  private boolean wakeRequested;
  private int workers;
  private Instant nextHeartbeat = Instant.MIN;
  private Instant nextProgress;
  // Guarded by itself.
  private final Map<ItemId, SettableFuture<ItemResult>> futures = new HashMap<>();

  private final AtomicLong healthy = new AtomicLong();
  private final AtomicLong repaired = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong bytesRepaired = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private volatile Instant started;
  private ExecutorService ownExecutor;
  private Executor executor;

  private RepairService(Builder b) {
    this.engine = b.engine;
    this.queue = b.queue;
    this.threads = b.threads;
    this.hostExecutor = b.executor;
    this.clock = b.clock;
    this.bytesThrottle = b.maxBytesPerSecond > 0
        ? new Throttle(b.maxBytesPerSecond, Math.max(1, b.maxBytesPerSecond), b.clock, b.sleeper)
        : null;
    this.repairsThrottle = b.maxRepairsPerSecond > 0
        ? new Throttle(b.maxRepairsPerSecond, Math.max(1, b.maxRepairsPerSecond), b.clock,
            b.sleeper)
        : null;
    this.repairThreshold = b.repairThreshold;
    this.retryPolicy = b.retryPolicy;
    this.listener = b.listener;
    this.pollInterval = b.pollInterval;
    this.maxPendingItems = b.maxPendingItems;
    this.shutdownTimeout = b.shutdownTimeout;
    this.progressInterval = b.progressInterval;
    this.stopWhenDrained = b.stopWhenDrained;
    this.name = b.name;
  }

  /** A builder; {@link Builder#engine} and {@link Builder#queue} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Fail-fast configuration of a {@link RepairService}. */
  public static final class Builder {
    private RepairEngine engine;
    private WorkQueue queue;
    private int threads = 2;
    private Executor executor;
    private long maxBytesPerSecond;
    private double maxRepairsPerSecond;
    private int repairThreshold = Integer.MAX_VALUE;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private RepairListener listener = new RepairListener() {};
    private Duration pollInterval = Duration.ofSeconds(1);
    private int maxPendingItems = 1024;
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private Duration progressInterval = Duration.ofSeconds(60);
    private boolean stopWhenDrained;
    private String name = "lafs-repair-service";

    private Builder() {}

    /** What checks and repairs items. Required. */
    public Builder engine(RepairEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** Where work comes from. Required; the service closes it when it stops. */
    public Builder queue(WorkQueue queue) {
      this.queue = Objects.requireNonNull(queue, "queue");
      return this;
    }

    /** How many checks and repairs run at once (default 2). */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("threads must be 1..1024, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Runs checks and repairs on {@code executor} (for example virtual threads) instead of the
     * service's own pool; {@link #threads} still bounds how many run at once. Not shut down by
     * the service.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Caps repair writes at {@code bytes} per second (0, the default, means no cap). */
    public Builder maxBytesPerSecond(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxBytesPerSecond must be >= 0, got " + bytes);
      }
      this.maxBytesPerSecond = bytes;
      return this;
    }

    /** Caps repairs started per second (0, the default, means no cap). */
    public Builder maxRepairsPerSecond(double repairs) {
      if (!(repairs >= 0) || Double.isInfinite(repairs)) {
        throw new IllegalArgumentException("maxRepairsPerSecond must be finite and >= 0");
      }
      this.maxRepairsPerSecond = repairs;
      return this;
    }

    /**
     * Repairs an unhealthy file only if it has fewer than {@code spareShares} good shares beyond
     * the k needed; files with at least that many are left alone and reported healthy with a
     * note. The default repairs every file the engine finds unhealthy.
     */
    public Builder repairThreshold(int spareShares) {
      if (spareShares < 1) {
        throw new IllegalArgumentException("repairThreshold must be >= 1, got " + spareShares);
      }
      this.repairThreshold = spareShares;
      return this;
    }

    /** How unrecoverable and failed items are retried (default {@link RetryPolicy#DEFAULT}). */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Time source for throttling, backoff, heartbeats and rates (inject a fake in tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How throttled workers wait (a fake advancing a fake clock in tests). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Receives events for metrics. */
    public Builder listener(RepairListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** How often an idle service looks for new work (default 1s, real time). */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive(interval, "pollInterval");
      return this;
    }

    /**
     * How many claimed, unfinished items the service holds (default 1024): the window within
     * which repairs are ordered by risk.
     */
    public Builder maxPendingItems(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxPendingItems must be >= 1");
      }
      this.maxPendingItems = max;
      return this;
    }

    /** How long a stop waits for running repairs before abandoning them (default 30s). */
    public Builder shutdownTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout must not be negative");
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /** How often a progress line is logged (default 60s, by the service's clock). */
    public Builder progressInterval(Duration interval) {
      this.progressInterval = positive(interval, "progressInterval");
      return this;
    }

    /**
     * Makes the service stop by itself once the queue is drained: nothing to claim, nothing
     * running, no retry pending ({@code serve --once}).
     */
    public Builder stopWhenDrained(boolean stop) {
      this.stopWhenDrained = stop;
      return this;
    }

    /** Name used for threads and log lines. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("blank name");
      }
      this.name = name;
      return this;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    /** Builds the service (not started). */
    public RepairService build() {
      if (engine == null) {
        throw new IllegalStateException("engine is required");
      }
      if (queue == null) {
        throw new IllegalStateException("queue is required");
      }
      if (maxPendingItems < threads) {
        throw new IllegalStateException(
            "maxPendingItems " + maxPendingItems + " < threads " + threads);
      }
      return new RepairService(this);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Public API beyond Service

  /**
   * Durably adds {@code item} to the queue; the future completes with its final result when this
   * service finishes it. If the service stops first, or another worker sharing the queue takes
   * the item, the item stays queued and the future fails with an {@link IllegalStateException}
   * (when this service stops).
   */
  public ListenableFuture<ItemResult> submit(WorkItem item) throws IOException {
    return submitAll(List.of(item)).get(0);
  }

  /** {@link #submit} for several items, written to the queue as one unit. */
  public List<ListenableFuture<ItemResult>> submitAll(List<WorkItem> items) throws IOException {
    Objects.requireNonNull(items, "items");
    State s = state();
    if (s == State.STOPPING || s == State.TERMINATED || s == State.FAILED) {
      throw new IllegalStateException("service is " + s);
    }
    List<ListenableFuture<ItemResult>> out = new ArrayList<>();
    synchronized (futures) {
      // Held across the add so a result cannot arrive before its future is registered.
      for (ItemId id : queue.add(items)) {
        SettableFuture<ItemResult> f = SettableFuture.create();
        futures.put(id, f);
        out.add(f);
      }
    }
    wake();
    return out;
  }

  /** This service's counts and rates. */
  public WorkerStats stats() {
    lock.lock();
    try {
      return statsLocked(clock.instant());
    } finally {
      lock.unlock();
    }
  }

  /** The queue's status (all workers). */
  public QueueStatus queueStatus() throws IOException {
    return queue.status();
  }

  @Override
  protected String serviceName() {
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // Service lifecycle

  @Override
  protected void startUp() throws Exception {
    started = clock.instant();
    nextProgress = started.plus(progressInterval);
    if (hostExecutor != null) {
      executor = hostExecutor;
    } else {
      ownExecutor = Executors.newFixedThreadPool(threads, new ThreadFactoryBuilder()
          .setNameFormat(name + "-worker-%d").setDaemon(true).build());
      executor = ownExecutor;
    }
    LOG.info("{} starting: {} threads, bytes/s limit {}, repairs/s limit {}", name, threads,
        bytesThrottle == null ? "none" : "set", repairsThrottle == null ? "none" : "set");
  }

  @Override
  protected void run() throws Exception {
    while (isRunning()) {
      Instant now = clock.instant();
      if (!now.isBefore(nextHeartbeat)) {
        heartbeat(now);
      }
      boolean claimedSomething = claimIfNeeded(now);
      dispatch();
      if (!now.isBefore(nextProgress)) {
        logProgress(now);
        nextProgress = now.plus(progressInterval);
      }
      lock.lock();
      try {
        if (stopRequested) {
          return;
        }
        if (stopWhenDrained && !claimedSomething && pending.isEmpty()
            && queue.nextRetry().isEmpty()) {
          LOG.info("{}: queue drained", name);
          return;
        }
        if (!claimedSomething || ready.isEmpty() || workers >= threads) {
          changed.await(pollInterval.toNanos(), TimeUnit.NANOSECONDS);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  protected void triggerShutdown() {
    lock.lock();
    try {
      stopRequested = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void shutDown() throws Exception {
    List<Task> notStarted;
    lock.lock();
    try {
      stopping = true;
      notStarted = new ArrayList<>(ready);
      ready.clear();
      for (Task t : notStarted) {
        pending.remove(t.claim.id());
      }
    } finally {
      lock.unlock();
    }
    for (Task t : notStarted) {
      releaseQuietly(t.claim);
    }
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    List<Task> abandoned = new ArrayList<>();
    lock.lock();
    try {
      while (!running.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        Instant now = clock.instant();
        if (!now.isBefore(nextHeartbeat)) {
          // Keep the lease while repairs finish, so their outcomes still count.
          lock.unlock();
          try {
            heartbeat(now);
          } finally {
            lock.lock();
          }
        }
      }
      if (!running.isEmpty()) {
        LOG.warn("{}: {} repairs still running after {}; interrupting and abandoning them", name,
            running.size(), shutdownTimeout);
        for (Map.Entry<Task, Thread> e : running.entrySet()) {
          e.getKey().abandoned = true;
          abandoned.add(e.getKey());
          if (e.getValue() != null) {
            e.getValue().interrupt();
          }
        }
      }
    } finally {
      lock.unlock();
    }
    for (Task t : abandoned) {
      releaseQuietly(t.claim);
    }
    try {
      queue.heartbeat(stats());
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: final heartbeat failed: {}", name, e.toString());
    }
    try {
      queue.close();
    } finally {
      if (ownExecutor != null) {
        ownExecutor.shutdownNow();
      }
      synchronized (futures) {
        for (SettableFuture<ItemResult> f : futures.values()) {
          f.setException(new IllegalStateException(
              "repair service stopped before the item finished; it stays queued"));
        }
        futures.clear();
      }
      logProgress(clock.instant());
      LOG.info("{} stopped", name);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatching

  private enum Phase {
    CHECK,
    REPAIR
  }

  private final class Task implements Comparable<Task> {
    final Claim claim;
    final String key;
    final long order;
    Phase phase = Phase.CHECK;
    Assessment assessment;
    volatile boolean abandoned;

    Task(Claim claim, long order) {
      this.claim = claim;
      this.key = claim.item().storageIndex().map(Object::toString).orElse(claim.item().text());
      this.order = order;
    }

    @Override
    public int compareTo(Task o) {
      // Checks first (they find the risk), then repairs, riskiest first, then first come.
      int c = phase.compareTo(o.phase);
      if (c == 0 && phase == Phase.REPAIR) {
        c = Integer.compare(assessment.spareShares(), o.assessment.spareShares());
      }
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  private boolean claimIfNeeded(Instant now) {
    int want;
    lock.lock();
    try {
      if (stopRequested) {
        return false;
      }
      int room = maxPendingItems - pending.size();
      // Claim in batches (a directory scan is not free), and not again right after finding
      // nothing, unless something woke us.
      boolean low = pending.size() <= maxPendingItems / 2 || ready.size() < threads;
      // Real time, not the service clock: this only paces directory scans.
      boolean idleWait = lastClaimEmpty
          && System.nanoTime() - lastEmptyClaimNanos < pollInterval.toNanos();
      if (room <= 0 || !low || idleWait && !wakeRequested) {
        return false;
      }
      wakeRequested = false;
      want = room;
    } finally {
      lock.unlock();
    }
    List<Claim> claims;
    try {
      claims = queue.claim(want);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: claiming work failed: {}", name, e.toString());
      return false;
    }
    lock.lock();
    try {
      if (claims.isEmpty()) {
        lastClaimEmpty = true;
        lastEmptyClaimNanos = System.nanoTime();
        return false;
      }
      lastClaimEmpty = false;
      for (Claim c : claims) {
        Task t = new Task(c, seq++);
        pending.put(c.id(), t);
        ready.add(t);
      }
    } finally {
      lock.unlock();
    }
    for (Claim c : claims) {
      notify(() -> listener.claimed(c));
    }
    return true;
  }

  private void wake() {
    lock.lock();
    try {
      wakeRequested = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Starts worker loops for ready work, up to {@code threads} of them. */
  private void dispatch() {
    int toStart;
    lock.lock();
    try {
      if (stopRequested) {
        return;
      }
      toStart = Math.max(0, Math.min(threads - workers, ready.size()));
      workers += toStart;
    } finally {
      lock.unlock();
    }
    for (int i = 0; i < toStart; i++) {
      try {
        executor.execute(this::workerLoop);
      } catch (RejectedExecutionException e) {
        LOG.warn("{}: executor rejected work: {}", name, e.toString());
        lock.lock();
        try {
          workers--;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * Runs ready tasks, best first, until none is left: workers pull work themselves rather than
   * wait to be handed each task, so a loaded machine does not pay a thread handoff per item.
   */
  private void workerLoop() {
    while (true) {
      Task t;
      lock.lock();
      try {
        t = stopRequested ? null : pollRunnable();
        if (t == null) {
          workers--;
          changed.signalAll();
          return;
        }
        busyKeys.add(t.key);
        running.put(t, Thread.currentThread());
      } finally {
        lock.unlock();
      }
      work(t);
    }
  }

  /** Under the lock: the best ready task whose storage index nobody is working on. */
  private Task pollRunnable() {
    List<Task> skipped = null;
    Task found = null;
    while (!ready.isEmpty()) {
      Task t = ready.poll();
      if (busyKeys.contains(t.key)) {
        if (skipped == null) {
          skipped = new ArrayList<>();
        }
        skipped.add(t);
        continue;
      }
      found = t;
      break;
    }
    if (skipped != null) {
      ready.addAll(skipped);
    }
    return found;
  }

  private void work(Task t) {
    boolean requeued = false;
    try {
      if (t.phase == Phase.CHECK) {
        requeued = check(t);
      } else {
        repair(t);
      }
    } catch (InterruptedException e) {
      // Only a stop interrupts workers: give the item back for the next worker.
      releaseQuietly(t.claim);
      forget(t);
    } catch (RuntimeException | Error e) {
      LOG.error("{}: unexpected failure on {}", name, t.claim.id(), e);
      forget(t);
      releaseQuietly(t.claim);
    } finally {
      Thread.interrupted();
      boolean giveBack = false;
      lock.lock();
      try {
        running.remove(t);
        busyKeys.remove(t.key);
        if (requeued) {
          if (stopping || t.abandoned) {
            pending.remove(t.claim.id(), t);
            giveBack = true;
          } else {
            ready.add(t);
          }
        }
        // Wake the dispatcher only when it has something to do: claim more, notice a drained
        // queue, or finish a stop.
        if (stopRequested || running.isEmpty() || ready.isEmpty()
            || pending.size() <= maxPendingItems / 2) {
          changed.signalAll();
        }
      } finally {
        lock.unlock();
      }
      if (giveBack) {
        releaseQuietly(t.claim);
      }
    }
  }

  /** Returns true if the task goes back to the ready queue for its repair. */
  private boolean check(Task t) throws InterruptedException {
    Claim c = t.claim;
    long t0 = nanos();
    Assessment a;
    try {
      a = engine.check(c.item());
    } catch (RepairEngineException e) {
      Duration d = since(t0);
      notify(() -> listener.engineFailed(c, "check", e, d));
      attemptFailed(t, Outcome.FAILED, "check failed: " + e.getMessage());
      return false;
    } catch (RuntimeException e) {
      Duration d = since(t0);
      notify(() -> listener.engineFailed(c, "check", e, d));
      LOG.warn("{}: check of {} threw", name, c.item(), e);
      attemptFailed(t, Outcome.FAILED, "check failed: " + e);
      return false;
    }
    Duration elapsed = since(t0);
    Assessment fa = a;
    notify(() -> listener.checked(c, fa, elapsed));
    switch (a.health()) {
      case HEALTHY -> finish(t, Outcome.HEALTHY, 0, 0, Optional.empty());
      case UNRECOVERABLE -> attemptFailed(t, Outcome.UNRECOVERABLE, "unrecoverable: "
          + a.goodShares() + " good shares, " + a.sharesNeeded() + " needed");
      case NEEDS_REPAIR -> {
        if (a.spareShares() >= repairThreshold) {
          finish(t, Outcome.HEALTHY, 0, 0, Optional.of("not repaired: " + a.spareShares()
              + " spare shares, repair threshold " + repairThreshold));
          return false;
        }
        lock.lock();
        try {
          if (stopping || t.abandoned) {
            pending.remove(c.id());
          } else {
            t.phase = Phase.REPAIR;
            t.assessment = a;
            return true;
          }
        } finally {
          lock.unlock();
        }
        releaseQuietly(c);
      }
      default -> throw new IllegalStateException("unknown health " + a.health());
    }
    return false;
  }

  private void repair(Task t) throws InterruptedException {
    Claim c = t.claim;
    Assessment a = t.assessment;
    Duration waited = Duration.ZERO;
    if (repairsThrottle != null) {
      waited = waited.plus(repairsThrottle.acquire(1));
    }
    if (bytesThrottle != null) {
      waited = waited.plus(bytesThrottle.acquire(a.estimatedRepairBytes()));
    }
    if (!waited.isZero()) {
      Duration w = waited;
      notify(() -> listener.throttled(w));
    }
    long t0 = nanos();
    RepairOutcome o;
    try {
      o = engine.repair(c.item(), a);
    } catch (RepairEngineException | RuntimeException e) {
      if (bytesThrottle != null) {
        bytesThrottle.adjust(-a.estimatedRepairBytes());
      }
      Duration d = since(t0);
      notify(() -> listener.engineFailed(c, "repair", e, d));
      if (e instanceof RuntimeException) {
        LOG.warn("{}: repair of {} threw", name, c.item(), e);
      }
      attemptFailed(t, Outcome.FAILED, "repair failed: "
          + (e instanceof RepairEngineException ? e.getMessage() : e.toString()));
      return;
    }
    if (bytesThrottle != null) {
      bytesThrottle.adjust(o.bytesWritten() - a.estimatedRepairBytes());
    }
    Duration elapsed = since(t0);
    RepairOutcome fo = o;
    notify(() -> listener.repaired(c, fo, elapsed));
    if (o.outcome().isSuccess()) {
      finish(t, o.outcome(), o.bytesWritten(), o.sharesWritten(), o.reason());
    } else {
      attemptFailed(t, o.outcome(), o.reason().orElseThrow());
    }
  }

  private void attemptFailed(Task t, Outcome outcome, String reason) {
    Claim c = t.claim;
    if (t.abandoned) {
      return;
    }
    if (retryPolicy.shouldRetry(c.attempt())) {
      Instant notBefore = clock.instant().plus(retryPolicy.delayAfter(c.attempt()));
      try {
        queue.retryLater(c, notBefore, reason);
        retries.incrementAndGet();
        LOG.info("{}: {} ({}) attempt {} {}: {}; retrying after {}", name, c.item(), c.id(),
            c.attempt(), outcome.jsonName(), reason, notBefore);
        notify(() -> listener.retryScheduled(c, notBefore, reason));
      } catch (LeaseLostException e) {
        LOG.warn("{}: {}", name, e.getMessage());
      } catch (IOException | RuntimeException e) {
        LOG.error("{}: could not schedule retry of {}: {}", name, c.id(), e.toString());
        releaseQuietly(c);
      }
      forget(t);
    } else {
      finish(t, outcome, 0, 0, Optional.of(reason));
    }
  }

  private void finish(Task t, Outcome outcome, long bytes, int shares, Optional<String> reason) {
    Claim c = t.claim;
    if (t.abandoned) {
      return;
    }
    ItemResult r = new ItemResult(c.id(), c.item().text(), outcome, c.attempt(), bytes, shares,
        reason);
    if (!outcome.isSuccess()) {
      LOG.warn("{}: {} ({}) {} after {} attempt(s): {}", name, c.item(), c.id(),
          outcome.jsonName(), c.attempt(), reason.orElse(""));
    }
    try {
      queue.complete(c, r);
    } catch (LeaseLostException e) {
      LOG.warn("{}: {}", name, e.getMessage());
    } catch (IOException | RuntimeException e) {
      LOG.error("{}: could not record outcome of {}; it will be redone: {}", name, c.id(),
          e.toString());
      forget(t);
      releaseQuietly(c);
      return;
    }
    forget(t);
    switch (outcome) {
      case HEALTHY -> healthy.incrementAndGet();
      case REPAIRED -> repaired.incrementAndGet();
      default -> failed.incrementAndGet();
    }
    bytesRepaired.addAndGet(bytes);
    notify(() -> listener.finished(r));
    SettableFuture<ItemResult> f;
    synchronized (futures) {
      f = futures.remove(c.id());
    }
    if (f != null) {
      f.set(r);
    }
  }

  private void forget(Task t) {
    lock.lock();
    try {
      pending.remove(t.claim.id(), t);
    } finally {
      lock.unlock();
    }
  }

  private void releaseQuietly(Claim c) {
    try {
      queue.release(c);
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: release of {} failed: {}", name, c.id(), e.toString());
    }
  }

  private void heartbeat(Instant now) {
    Set<ItemId> lost;
    try {
      lost = queue.heartbeat(stats());
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: heartbeat failed: {}", name, e.toString());
      nextHeartbeat = now.plusSeconds(1);
      return;
    }
    nextHeartbeat = now.plus(queue.leaseDuration().dividedBy(3));
    if (!lost.isEmpty()) {
      lock.lock();
      try {
        for (ItemId id : lost) {
          Task t = pending.remove(id);
          if (t != null) {
            t.abandoned = true;
            ready.remove(t);
          }
        }
      } finally {
        lock.unlock();
      }
      LOG.warn("{}: lost {} items to another worker after a lease lapse", name, lost.size());
    }
  }

  private WorkerStats statsLocked(Instant now) {
    long done = healthy.get() + repaired.get() + failed.get();
    long bytes = bytesRepaired.get();
    long nowMs = now.toEpochMilli();
    if (rateSamples.isEmpty() || rateSamples.peekLast()[0] <= nowMs - 1000) {
      rateSamples.addLast(new long[] {nowMs, done, bytes});
    }
    while (rateSamples.size() > 2
        && rateSamples.peekFirst()[0] < nowMs - RATE_WINDOW.toMillis()) {
      rateSamples.removeFirst();
    }
    while (rateSamples.size() > 1000) {
      rateSamples.removeFirst();
    }
    long[] first = rateSamples.peekFirst();
    if (rateSamples.size() == 1 && started != null) {
      first = new long[] {started.toEpochMilli(), 0, 0};
    }
    double secs = (nowMs - first[0]) / 1000.0;
    double ips = secs > 0 ? (done - first[1]) / secs : 0;
    double bps = secs > 0 ? (bytes - first[2]) / secs : 0;
    return new WorkerStats(started == null ? now : started, healthy.get(), repaired.get(),
        failed.get(), bytes, running.size(), Math.max(0, ips), Math.max(0, bps));
  }

  private void logProgress(Instant now) {
    WorkerStats s;
    int waiting;
    lock.lock();
    try {
      s = statsLocked(now);
      waiting = pending.size() - running.size();
    } finally {
      lock.unlock();
    }
    LOG.info("{}: {} repaired, {} healthy, {} failed, {} retries; {} running, {} waiting; "
        + "{} bytes repaired; {} items/s, {} bytes/s", name, s.repaired(), s.healthy(),
        s.failed(), retries.get(), s.inFlight(), Math.max(0, waiting), s.bytesRepaired(),
        String.format("%.1f", s.itemsPerSecond()), String.format("%.0f", s.bytesPerSecond()));
  }

  private void notify(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException e) {
      LOG.warn("{}: listener threw; ignoring", name, e);
    }
  }

  private long nanos() {
    Instant t = clock.instant();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private Duration since(long t0) {
    return Duration.ofNanos(Math.max(0, nanos() - t0));
  }
}
