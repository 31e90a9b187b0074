package org.lafsrepair.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scriptable engine. Per item it plays a list of check verdicts (the last one repeats), and
 * records every call with its time, so tests can check order, concurrency and timing.
 */
final class FakeEngine implements RepairEngine {
  /** One scripted check: the verdict and the good-share count (k=3, N=10). */
  record Verdict(Assessment.Health health, int goodShares) {}

  record Call(String phase, String item, Instant at, String thread) {}

  private final Clock clock;
  private final Map<String, List<Verdict>> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
  private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
  private final AtomicInteger keyOverlaps = new AtomicInteger();
  volatile long repairBytes = 1000;
  volatile long estimateBytes = 1000;
  volatile Function<WorkItem, RepairOutcome> repairResult;
  volatile Hook hook = (phase, item) -> {};

  interface Hook {
    void at(String phase, WorkItem item) throws InterruptedException, RepairEngineException;
  }

  FakeEngine(Clock clock) {
    this.clock = clock;
  }

  FakeEngine script(String item, Verdict... verdicts) {
    scripts.put(item, List.of(verdicts));
    return this;
  }

  static Verdict healthy() {
    return new Verdict(Assessment.Health.HEALTHY, 10);
  }

  static Verdict needs(int good) {
    return new Verdict(Assessment.Health.NEEDS_REPAIR, good);
  }

  static Verdict unrecoverable() {
    return new Verdict(Assessment.Health.UNRECOVERABLE, 2);
  }

  @Override
  public Assessment check(WorkItem item) throws RepairEngineException, InterruptedException {
    enter("check", item);
    try {
      hook.at("check", item);
      List<Verdict> s = scripts.getOrDefault(item.text(), List.of(needs(9)));
      int n = checks.computeIfAbsent(item.text(), k -> new AtomicInteger()).getAndIncrement();
      Verdict v = s.get(Math.min(n, s.size() - 1));
      return new Assessment(v.health(), v.goodShares(), 3, 10, estimateBytes,
          Optional.of("detail-" + item.text()));
    } finally {
      exit(item);
    }
  }

  @Override
  public RepairOutcome repair(WorkItem item, Assessment assessment)
      throws RepairEngineException, InterruptedException {
    if (!assessment.detail().equals(Optional.of("detail-" + item.text()))) {
      throw new AssertionError("repair did not get the check's detail");
    }
    enter("repair", item);
    try {
      hook.at("repair", item);
      Function<WorkItem, RepairOutcome> f = repairResult;
      return f != null ? f.apply(item)
          : RepairOutcome.repaired(repairBytes, 10 - assessment.goodShares());
    } finally {
      exit(item);
    }
  }

  private void enter(String phase, WorkItem item) {
    calls.add(new Call(phase, item.text(), clock.instant(), Thread.currentThread().getName()));
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    if (perKey.computeIfAbsent(item.text(), k -> new AtomicInteger()).incrementAndGet() > 1) {
      keyOverlaps.incrementAndGet();
    }
  }

  private void exit(WorkItem item) {
    perKey.get(item.text()).decrementAndGet();
    inFlight.decrementAndGet();
  }

  List<Call> calls() {
    synchronized (calls) {
      return new ArrayList<>(calls);
    }
  }

  List<Call> calls(String phase) {
    return calls().stream().filter(c -> c.phase().equals(phase)).toList();
  }

  Map<String, Integer> countByItem(String phase) {
    Map<String, Integer> m = new HashMap<>();
    for (Call c : calls(phase)) {
      m.merge(c.item(), 1, Integer::sum);
    }
    return m;
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  int keyOverlaps() {
    return keyOverlaps.get();
  }
}
