package org.lafsrepair.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.memory.MemoryStorageServer;

/**
 * The round engine behind listings, verifications and commits. Calls of no particular server
 * (null) never run on the caller; calls to servers follow the servers' locality and latency (more
 * in {@link ShareLocatorTest}).
 */
class ServerCallsTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static long in(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static <T> ServerCalls.Call<T> anywhere(Supplier<T> body) {
    return ServerCalls.Call.of(null, body);
  }

  @Test
  void quickCallsShareAFewWorkersAndAnswerInOrder() throws Exception {
    ServerCalls f = new ServerCalls(pool, 2, Duration.ofSeconds(10));
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    List<ServerCalls.Call<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int v = i;
      calls.add(anywhere(() -> {
        threads.add(Thread.currentThread());
        return v * v;
      }));
    }
    List<Integer> out = f.run(calls, in(60_000), i -> -1);
    for (int i = 0; i < 50; i++) {
      assertEquals(i * i, out.get(i));
    }
    assertTrue(threads.size() <= 2, threads.size() + " threads for 50 quick calls");
    assertFalse(threads.contains(Thread.currentThread()), "calls of no server never run on the caller");
  }

  @Test
  void aStalledCallDelaysTheOthersByNoMoreThanTheHedge() throws Exception {
    // One worker only: without hedging every call after the stalled one would wait for it.
    ServerCalls f = new ServerCalls(pool, 1, Duration.ofMillis(5));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch othersDone = new CountDownLatch(9);
    List<ServerCalls.Call<String>> calls = new ArrayList<>();
    calls.add(anywhere(() -> {
      try {
        release.await();
        return "slow";
      } catch (InterruptedException e) {
        return "interrupted";
      }
    }));
    for (int i = 1; i < 10; i++) {
      int v = i;
      calls.add(anywhere(() -> {
        othersDone.countDown();
        return "quick" + v;
      }));
    }
    Thread releaser = new Thread(() -> {
      try {
        // The quick calls must all finish while the stalled one still holds its worker.
        if (othersDone.await(30, TimeUnit.SECONDS)) {
          release.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    releaser.start();
    List<String> out = f.run(calls, in(60_000), i -> "unfinished");
    releaser.join();
    assertEquals("slow", out.get(0));
    for (int i = 1; i < 10; i++) {
      assertEquals("quick" + i, out.get(i));
    }
  }

  @Test
  void callsPastTheDeadlineAreUnfinishedAndInterruptedWithoutLeakingTheInterrupt() throws Exception {
    ServerCalls f = new ServerCalls(pool, 2, Duration.ofMillis(1));
    AtomicBoolean sawInterrupt = new AtomicBoolean();
    CountDownLatch blocked = new CountDownLatch(1);
    List<ServerCalls.Call<String>> calls = List.of(
        anywhere(() -> "fast"),
        anywhere(() -> {
          blocked.countDown();
          try {
            Thread.sleep(60_000);
            return "woke";
          } catch (InterruptedException e) {
            sawInterrupt.set(true);
            return "interrupted";
          }
        }));
    List<String> out = f.run(calls, in(300), i -> "unfinished " + i);
    assertEquals(List.of("fast", "unfinished 1"), out);
    assertTrue(blocked.await(10, TimeUnit.SECONDS));
    // The interrupted worker must give its pool thread back clean.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!sawInterrupt.get() && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertTrue(sawInterrupt.get());
    Supplier<Boolean> interrupted = () -> Thread.currentThread().isInterrupted();
    List<Boolean> flags = new ServerCalls(pool, 4, Duration.ofSeconds(1)).run(
        List.of(anywhere(interrupted), anywhere(interrupted), anywhere(interrupted)), in(60_000), i -> true);
    assertEquals(List.of(false, false, false), flags);
  }

  @Test
  void aCallThatThrowsIsUnfinishedNotFatal() throws Exception {
    ServerCalls f = new ServerCalls(pool, 2, Duration.ofMillis(1));
    List<ServerCalls.Call<String>> calls = List.of(anywhere(() -> "a"), anywhere(() -> {
      throw new IllegalStateException("backend bug");
    }), anywhere(() -> "c"));
    assertEquals(List.of("a", "unfinished", "c"), f.run(calls, in(60_000), i -> "unfinished"));
  }

  @Test
  void slowCallsGetWorkersOfTheirOwnAtOnceNextTimeSoTheyRunSideBySide() throws Exception {
    // Commits wait for the disk: once known as slow, four of them run at once even with one
    // processor's worth of shared workers, instead of queueing behind each other.
    List<StorageServer> servers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      servers.add(MemoryStorageServer.create());
    }
    ServerCalls f = new ServerCalls(pool, 1, Duration.ofMillis(5));
    List<ServerCalls.Call<Long>> calls = new ArrayList<>();
    for (StorageServer s : servers) {
      calls.add(ServerCalls.Call.of(s, () -> {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 1L;
      }));
    }
    f.run(calls, in(60_000), i -> 0L);
    assertTrue(servers.stream().allMatch(f::seemsSlow));
    long t0 = System.nanoTime();
    List<Long> out = f.run(calls, in(60_000), i -> 0L);
    long took = System.nanoTime() - t0;
    assertEquals(List.of(1L, 1L, 1L, 1L), out);
    assertTrue(took < TimeUnit.MILLISECONDS.toNanos(300), "side by side, not 4 x 100 ms: " + took / 1_000_000 + " ms");
  }

  @Test
  void quickLocalCallsRunOnTheCallerAndRemoteOnesNever() throws Exception {
    StorageServer local = MemoryStorageServer.create();
    StorageServer remote = MemoryStorageServer.builder().locality(Locality.REMOTE).build();
    ServerCalls f = new ServerCalls(pool, 1, Duration.ofMillis(50));
    Thread me = Thread.currentThread();
    List<ServerCalls.Call<Thread>> calls = List.of(
        ServerCalls.Call.of(local, Thread::currentThread), ServerCalls.Call.of(remote, Thread::currentThread));
    List<Thread> first = f.run(calls, in(60_000), i -> null);
    assertFalse(first.contains(me), "nothing is known of either server yet");
    List<Thread> second = f.run(calls, in(60_000), i -> null);
    assertEquals(me, second.get(0));
    assertFalse(second.get(1) == me, "a remote server's call stays on a worker");
  }

  @Test
  void asServerQueriesItAnswersInOrderAndLeavesLateServersNull() throws Exception {
    StorageServer quick = MemoryStorageServer.create();
    StorageServer stuck = MemoryStorageServer.create();
    ServerCalls f = new ServerCalls(pool, 2, Duration.ofMillis(5));
    List<Supplier<String>> queries = List.of(() -> "a", () -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "late";
    });
    assertEquals(java.util.Arrays.asList("a", null), f.run(List.of(quick, stuck), queries, Duration.ofMillis(200)));
    assertEquals(List.of("x", "y"), f.run(List.of(quick, quick), List.<Supplier<String>>of(() -> "x", () -> "y"), null));
    assertThrows(IllegalArgumentException.class, () -> f.run(List.of(quick), queries, null));
  }

  @Test
  void settingsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new ServerCalls(pool, 0, Duration.ofMillis(1)));
    assertThrows(IllegalArgumentException.class, () -> new ServerCalls(pool, 1, Duration.ZERO));
    assertThrows(NullPointerException.class, () -> ServerCalls.Call.of(null, null));
  }
}
