package org.lafsrepair.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lafsrepair.service.FakeEngine.healthy;
import static org.lafsrepair.service.FakeEngine.needs;
import static org.lafsrepair.service.FakeEngine.unrecoverable;
import static org.lafsrepair.service.QueueFixtures.list;
import static org.lafsrepair.service.QueueFixtures.si;
import static org.lafsrepair.service.QueueFixtures.workFiles;
import static org.lafsrepair.service.QueueFixtures.writeWorkFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairServiceTest {
  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  final FakeEngine engine = new FakeEngine(clock);

  DirectoryWorkQueue queue(String owner) throws Exception {
    return DirectoryWorkQueue.builder(dir).clock(clock).ownerId(owner).build();
  }

  RepairService.Builder service(String owner) throws Exception {
    return RepairService.builder().engine(engine).queue(queue(owner)).clock(clock)
        .sleeper(clock.sleeper()).pollInterval(Duration.ofMillis(5))
        .retryPolicy(RetryPolicy.NONE);
  }

  static void runToEnd(RepairService s) throws Exception {
    s.startAsync().awaitTerminated(20, TimeUnit.SECONDS);
  }

  @Test
  void drainsTheQueueRepairingWhatNeedsItAndDeletingFinishedFiles() throws Exception {
    engine.script(si(1), healthy()).script(si(2), needs(7)).script(si(3), needs(5));
    writeWorkFile(dir, "one", si(1), si(2));
    writeWorkFile(dir, "two", "# comment", si(3));
    List<ItemResult> finished = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger claimed = new AtomicInteger();
    RepairService s = service("w").stopWhenDrained(true).listener(new RepairListener() {
      @Override
      public void claimed(Claim claim) {
        claimed.incrementAndGet();
      }

      @Override
      public void finished(ItemResult result) {
        finished.add(result);
      }
    }).build();
    runToEnd(s);
    assertEquals(Service.State.TERMINATED, s.state());
    assertEquals(List.of(), workFiles(dir));
    assertEquals(List.of(), list(dir.resolve("failed")));
    assertEquals(3, engine.calls("check").size());
    assertEquals(2, engine.calls("repair").size());
    WorkerStats st = s.stats();
    assertEquals(1, st.healthy());
    assertEquals(2, st.repaired());
    assertEquals(2000, st.bytesRepaired());
    assertEquals(3, claimed.get());
    assertEquals(3, finished.size());
    ItemResult r3 = finished.stream().filter(r -> r.item().equals(si(3))).findFirst()
        .orElseThrow();
    assertEquals(new ItemId("two", 2), r3.id());
    assertEquals(Outcome.REPAIRED, r3.outcome());
    assertEquals(5, r3.sharesWritten());
    QueueStatus qs = DirectoryWorkQueue.readStatus(dir, clock);
    assertEquals(2, qs.repairedItems());
    assertEquals(1, qs.healthyItems());
    assertEquals(0, qs.queuedItems() + qs.runningItems());
  }

  @Test
  void checksEverythingFirstThenRepairsFewestSpareSharesFirst() throws Exception {
    engine.script(si(1), needs(9)).script(si(2), needs(4)).script(si(3), needs(6))
        .script(si(4), needs(3)).script(si(5), healthy());
    writeWorkFile(dir, "risk", si(1), si(2), si(3), si(4), si(5));
    runToEnd(service("w").threads(1).stopWhenDrained(true).build());
    List<FakeEngine.Call> calls = engine.calls();
    assertEquals(List.of("check", "check", "check", "check", "check", "repair", "repair",
        "repair", "repair"), calls.stream().map(FakeEngine.Call::phase).toList());
    assertEquals(List.of(si(4), si(2), si(3), si(1)),
        engine.calls("repair").stream().map(FakeEngine.Call::item).toList(),
        "spare shares 0, 1, 3, 6");
  }

  @Test
  void unrecoverableItemsAreRetriedWithExponentialBackoffThenFailed() throws Exception {
    engine.script(si(1), unrecoverable());
    engine.script(si(2), healthy());
    writeWorkFile(dir, "u", si(1), si(2));
    RepairService s = service("w").stopWhenDrained(true)
        .retryPolicy(new RetryPolicy(3, Duration.ofSeconds(10), 2.0, Duration.ofHours(1)))
        .build();
    s.startAsync().awaitRunning();
    Instant t0 = clock.instant();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (s.isRunning() && System.nanoTime() < deadline) {
      clock.advance(Duration.ofMillis(500));
      Thread.sleep(2);
    }
    s.awaitTerminated(5, TimeUnit.SECONDS);
    List<Instant> checks = engine.calls("check").stream().filter(c -> c.item().equals(si(1)))
        .map(FakeEngine.Call::at).toList();
    assertEquals(3, checks.size());
    Duration first = Duration.between(checks.get(0), checks.get(1));
    Duration second = Duration.between(checks.get(1), checks.get(2));
    assertTrue(first.compareTo(Duration.ofSeconds(10)) >= 0
        && first.compareTo(Duration.ofSeconds(12)) <= 0, first.toString());
    assertTrue(second.compareTo(Duration.ofSeconds(20)) >= 0
        && second.compareTo(Duration.ofSeconds(22)) <= 0, second.toString());
    assertTrue(checks.get(0).compareTo(t0.plusSeconds(2)) <= 0);
    JsonNode e = new ObjectMapper().readTree(dir.resolve("failed/u.report.json").toFile())
        .get("entries");
    assertEquals("unrecoverable", e.get(0).get("outcome").asText());
    assertEquals(3, e.get(0).get("attempts").asInt());
    assertTrue(e.get(0).get("reason").asText().contains("2 good shares, 3 needed"));
    assertEquals("healthy", e.get(1).get("outcome").asText());
    assertEquals(1, s.stats().failed());
  }

  @Test
  void anItemThatBecomesRecoverableOnRetryIsRepaired() throws Exception {
    engine.script(si(1), unrecoverable(), needs(5));
    writeWorkFile(dir, "later", si(1));
    RepairService s = service("w").stopWhenDrained(true)
        .retryPolicy(new RetryPolicy(5, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(4)))
        .build();
    s.startAsync().awaitRunning();
    while (s.isRunning()) {
      clock.advance(Duration.ofMillis(200));
      Thread.sleep(2);
    }
    s.awaitTerminated(5, TimeUnit.SECONDS);
    assertEquals(List.of(), workFiles(dir));
    assertEquals(List.of(), list(dir.resolve("failed")));
    assertEquals(1, s.stats().repaired());
  }

  @Test
  void engineFailuresAreReportedWithTheirReason() throws Exception {
    engine.hook = (phase, item) -> {
      if (item.text().equals(si(2)) && phase.equals("repair")) {
        throw new RepairEngineException("server 3 timed out");
      }
    };
    writeWorkFile(dir, "f", si(1), si(2));
    AtomicInteger engineFailures = new AtomicInteger();
    runToEnd(service("w").stopWhenDrained(true).listener(new RepairListener() {
      @Override
      public void engineFailed(Claim claim, String phase, Throwable error, Duration elapsed) {
        engineFailures.incrementAndGet();
      }
    }).build());
    JsonNode e = new ObjectMapper().readTree(dir.resolve("failed/f.report.json").toFile())
        .get("entries");
    assertEquals("repaired", e.get(0).get("outcome").asText());
    assertEquals("failed", e.get(1).get("outcome").asText());
    assertEquals("repair failed: server 3 timed out", e.get(1).get("reason").asText());
    assertEquals(1, engineFailures.get());
  }

  @Test
  void anEngineBugIsAFailedItemNotADeadService() throws Exception {
    engine.hook = (phase, item) -> {
      throw new IllegalStateException("bug");
    };
    writeWorkFile(dir, "bug", si(1));
    RepairService s = service("w").stopWhenDrained(true).build();
    runToEnd(s);
    assertEquals(Service.State.TERMINATED, s.state());
    assertTrue(list(dir.resolve("failed")).contains("bug.report.json"));
  }

  @Test
  void bytesThrottleHoldsTheRateOnOneThread() throws Exception {
    engine.repairBytes = 5_000;
    engine.estimateBytes = 5_000;
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add(si(i));
    }
    writeWorkFile(dir, "t", lines.toArray(String[]::new));
    runToEnd(service("w").threads(1).maxBytesPerSecond(10_000).stopWhenDrained(true).build());
    List<FakeEngine.Call> repairs = engine.calls("repair");
    assertEquals(20, repairs.size());
    assertRateBound(repairs, 5_000, 10_000, 10_000);
    Duration total = Duration.between(repairs.get(0).at(), repairs.get(19).at());
    // 100,000 bytes at 10,000/s with a one-second burst: 9 s, not much more.
    assertTrue(total.compareTo(Duration.ofSeconds(9)) >= 0, total.toString());
    assertTrue(total.compareTo(Duration.ofMillis(9_600)) <= 0, total.toString());
  }

  @Test
  void bytesThrottleHoldsWithTwoThreadsAndUnderestimatedRepairs() throws Exception {
    engine.repairBytes = 5_000;
    engine.estimateBytes = 1_000;
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      lines.add(si(i));
    }
    writeWorkFile(dir, "t2", lines.toArray(String[]::new));
    AtomicLong throttled = new AtomicLong();
    runToEnd(service("w").threads(2).maxBytesPerSecond(20_000).stopWhenDrained(true)
        .listener(new RepairListener() {
          @Override
          public void throttled(Duration waited) {
            throttled.addAndGet(waited.toMillis());
          }
        }).build());
    List<FakeEngine.Call> repairs = engine.calls("repair");
    assertEquals(30, repairs.size());
    // Bytes actually written by repairs started before each start, against the budget; the
    // underestimate is settled after each repair, so at most one repair per thread runs ahead.
    assertRateBound(repairs, 5_000, 20_000, 20_000 + 2 * 5_000);
    assertTrue(throttled.get() > 0);
  }

  /** Bytes of repairs started up to each start never exceed burst + rate * elapsed. */
  private static void assertRateBound(List<FakeEngine.Call> repairs, long bytesEach,
      long ratePerSecond, long slack) {
    Instant t0 = repairs.get(0).at();
    List<FakeEngine.Call> sorted = new ArrayList<>(repairs);
    sorted.sort((a, b) -> a.at().compareTo(b.at()));
    long bytes = 0;
    for (FakeEngine.Call c : sorted) {
      bytes += bytesEach;
      double elapsed = Duration.between(t0, c.at()).toNanos() / 1e9;
      assertTrue(bytes <= slack + ratePerSecond * elapsed + bytesEach,
          bytes + " bytes by " + elapsed + " s");
    }
  }

  @Test
  void repairsPerSecondThrottleHoldsTheRate() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      lines.add(si(i));
    }
    writeWorkFile(dir, "r", lines.toArray(String[]::new));
    runToEnd(service("w").threads(2).maxRepairsPerSecond(2).stopWhenDrained(true).build());
    List<FakeEngine.Call> repairs = new ArrayList<>(engine.calls("repair"));
    repairs.sort((a, b) -> a.at().compareTo(b.at()));
    assertEquals(12, repairs.size());
    Duration total = Duration.between(repairs.get(0).at(), repairs.get(11).at());
    // 12 repairs at 2/s with a burst of 2: the last starts at least 5 s after the first.
    assertTrue(total.compareTo(Duration.ofSeconds(5)) >= 0, total.toString());
  }

  @Test
  void noMoreThanThreadsChecksOrRepairsRunAtOnce() throws Exception {
    CyclicBarrier three = new CyclicBarrier(3);
    engine.hook = (phase, item) -> {
      try {
        three.await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new RepairEngineException("barrier: " + e);
      }
    };
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      lines.add(si(i));
    }
    writeWorkFile(dir, "c", lines.toArray(String[]::new));
    RepairService s = service("w").threads(3).stopWhenDrained(true).build();
    runToEnd(s);
    assertEquals(3, engine.maxInFlight(), "three at once (the barrier needs it), never four");
    assertEquals(12, s.stats().repaired());
  }

  @Test
  void oneStorageIndexIsNeverWorkedOnTwiceAtOnce() throws Exception {
    engine.hook = (phase, item) -> Thread.sleep(3);
    for (int f = 0; f < 6; f++) {
      writeWorkFile(dir, "dup" + f, si(1), si(2), si(100 + f));
    }
    RepairService s = service("w").threads(4).stopWhenDrained(true).build();
    runToEnd(s);
    assertEquals(0, engine.keyOverlaps());
    assertEquals(18, s.stats().repaired());
    assertEquals(List.of(), workFiles(dir));
  }

  @Test
  void repairThresholdLeavesFilesWithEnoughSpareSharesAlone() throws Exception {
    engine.script(si(1), needs(9)).script(si(2), needs(4));
    writeWorkFile(dir, "th", si(1), si(2));
    List<ItemResult> results = Collections.synchronizedList(new ArrayList<>());
    runToEnd(service("w").repairThreshold(2).stopWhenDrained(true).listener(
        new RepairListener() {
          @Override
          public void finished(ItemResult result) {
            results.add(result);
          }
        }).build());
    assertEquals(List.of(si(2)), engine.calls("repair").stream().map(FakeEngine.Call::item)
        .toList());
    ItemResult r1 = results.stream().filter(r -> r.item().equals(si(1))).findFirst()
        .orElseThrow();
    assertEquals(Outcome.HEALTHY, r1.outcome());
    assertTrue(r1.reason().orElseThrow().contains("6 spare shares"));
    assertEquals(List.of(), workFiles(dir));
  }

  @Test
  void submitAddsDurablyAndTheFutureCompletesWithTheResult() throws Exception {
    engine.script(si(9), needs(6));
    RepairService s = service("w").build();
    s.startAsync().awaitRunning();
    try {
      ListenableFuture<ItemResult> f = s.submit(WorkItem.parse(si(9)));
      ItemResult r = f.get(10, TimeUnit.SECONDS);
      assertEquals(Outcome.REPAIRED, r.outcome());
      assertEquals(si(9), r.item());
      assertEquals(4, r.sharesWritten());
      List<ListenableFuture<ItemResult>> fs = s.submitAll(List.of(WorkItem.parse(si(10)),
          WorkItem.parse(si(11))));
      for (ListenableFuture<ItemResult> x : fs) {
        assertTrue(x.get(10, TimeUnit.SECONDS).outcome().isSuccess());
      }
    } finally {
      s.stopAsync().awaitTerminated(10, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), workFiles(dir));
  }

  @Test
  void stopWaitsForARunningRepairToFinish() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    engine.hook = (phase, item) -> {
      if (phase.equals("repair")) {
        started.countDown();
        release.await();
      }
    };
    writeWorkFile(dir, "g", si(1), si(2));
    RepairService s = service("w").threads(1).shutdownTimeout(Duration.ofSeconds(10)).build();
    s.startAsync().awaitRunning();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    s.stopAsync();
    Thread.sleep(50);
    assertEquals(Service.State.STOPPING, s.state());
    release.countDown();
    s.awaitTerminated(10, TimeUnit.SECONDS);
    assertEquals(1, s.stats().repaired(), "the running repair finished and was recorded");
    assertEquals(1, engine.calls("repair").size(), "nothing new started while stopping");
    assertEquals(List.of("g"), workFiles(dir), "the other item stays queued");
    try (DirectoryWorkQueue q = queue("next")) {
      List<Claim> left = q.claim(10);
      assertEquals(1, left.size(), "given back at once, and the finished one is not redone");
    }
  }

  @Test
  void stopAbandonsARepairThatOutlivesTheTimeoutAndGivesItBack() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    engine.hook = (phase, item) -> {
      if (phase.equals("repair")) {
        started.countDown();
        new CountDownLatch(1).await();
      }
    };
    writeWorkFile(dir, "stuck", si(1));
    RepairService s = service("w").shutdownTimeout(Duration.ofMillis(100)).build();
    s.startAsync().awaitRunning();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    long t0 = System.nanoTime();
    s.stopAsync().awaitTerminated(10, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    assertEquals(List.of("stuck"), workFiles(dir));
    assertEquals(List.of(), list(dir.resolve("failed")));
    engine.hook = (phase, item) -> {};
    RepairService next = service("w2").stopWhenDrained(true).build();
    runToEnd(next);
    assertEquals(1, next.stats().repaired());
    assertEquals(List.of(), workFiles(dir));
  }

  @Test
  void twoServicesOnOneQueueNeverWorkOnTheSameItemAtOnce() throws Exception {
    engine.hook = (phase, item) -> Thread.sleep(1);
    for (int f = 0; f < 20; f++) {
      writeWorkFile(dir, "w" + f, si(f * 2), si(f * 2 + 1));
    }
    RepairService a = service("a").threads(2).stopWhenDrained(true).maxPendingItems(4).build();
    RepairService b = service("b").threads(2).stopWhenDrained(true).maxPendingItems(4).build();
    a.startAsync();
    b.startAsync();
    a.awaitTerminated(30, TimeUnit.SECONDS);
    b.awaitTerminated(30, TimeUnit.SECONDS);
    assertEquals(0, engine.keyOverlaps());
    Map<String, Integer> checks = engine.countByItem("check");
    assertEquals(40, checks.size());
    assertTrue(checks.values().stream().allMatch(n -> n == 1), "each item checked once: "
        + checks);
    assertEquals(40, a.stats().repaired() + b.stats().repaired());
    assertEquals(List.of(), workFiles(dir));
  }

  @Test
  void aThrowingListenerDoesNotDisturbTheWork() throws Exception {
    writeWorkFile(dir, "l", si(1));
    RepairService s = service("w").stopWhenDrained(true).listener(new RepairListener() {
      @Override
      public void finished(ItemResult result) {
        throw new RuntimeException("listener bug");
      }
    }).build();
    runToEnd(s);
    assertEquals(1, s.stats().repaired());
    assertEquals(List.of(), workFiles(dir));
  }

  @Test
  void builderFailsFast() throws Exception {
    assertThrows(IllegalStateException.class, () -> RepairService.builder().engine(engine)
        .build());
    assertThrows(IllegalStateException.class, () -> RepairService.builder()
        .queue(queue("x")).build());
    assertThrows(IllegalArgumentException.class, () -> RepairService.builder().threads(0));
    assertThrows(IllegalArgumentException.class,
        () -> RepairService.builder().maxBytesPerSecond(-1));
    assertThrows(IllegalArgumentException.class,
        () -> RepairService.builder().maxRepairsPerSecond(Double.NaN));
    assertThrows(IllegalArgumentException.class,
        () -> RepairService.builder().pollInterval(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RepairService.builder().repairThreshold(0));
    assertThrows(IllegalArgumentException.class,
        () -> new RetryPolicy(0, Duration.ZERO, 1, Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> new RetryPolicy(3, Duration.ofSeconds(2), 0.5, Duration.ofSeconds(4)));
    assertThrows(IllegalStateException.class, () -> RepairService.builder().engine(engine)
        .queue(queue("y")).threads(8).maxPendingItems(4).build());
  }

  @Test
  void retryPolicyGrowsExponentiallyUpToItsCap() {
    RetryPolicy p = new RetryPolicy(10, Duration.ofSeconds(1), 3.0, Duration.ofSeconds(20));
    assertEquals(Duration.ofSeconds(1), p.delayAfter(1));
    assertEquals(Duration.ofSeconds(3), p.delayAfter(2));
    assertEquals(Duration.ofSeconds(9), p.delayAfter(3));
    assertEquals(Duration.ofSeconds(20), p.delayAfter(4));
    assertEquals(Duration.ofSeconds(20), p.delayAfter(1000));
    assertTrue(p.shouldRetry(9));
    assertTrue(!p.shouldRetry(10));
  }

  @Test
  void queueStatusReflectsAnIdleDrainedQueue() throws Exception {
    RepairService s = service("w").build();
    s.startAsync().awaitRunning();
    try {
      QueueStatus st = s.queueStatus();
      assertEquals(0, st.queuedItems());
      assertEquals(Optional.of(Duration.ZERO), st.eta());
      assertEquals(1, st.liveWorkers());
    } finally {
      s.stopAsync().awaitTerminated(10, TimeUnit.SECONDS);
    }
  }
}
