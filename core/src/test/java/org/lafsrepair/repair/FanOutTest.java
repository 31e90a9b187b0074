package org.lafsrepair.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanOutTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static long in(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void quickCallsShareAFewWorkersAndAnswerInOrder() throws Exception {
    FanOut f = new FanOut(pool, 2, TimeUnit.SECONDS.toNanos(10));
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    List<FanOut.Call<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int v = i;
      calls.add(() -> {
        threads.add(Thread.currentThread());
        return v * v;
      });
    }
    List<Integer> out = f.run(calls, in(60_000), i -> -1);
    for (int i = 0; i < 50; i++) {
      assertEquals(i * i, out.get(i));
    }
    assertTrue(threads.size() <= 2, threads.size() + " threads for 50 quick calls");
    assertFalse(threads.contains(Thread.currentThread()), "calls never run on the caller");
  }

  @Test
  void aStalledCallDelaysTheOthersByNoMoreThanTheHedge() throws Exception {
    // One worker only: without hedging every call after the stalled one would wait for it.
    FanOut f = new FanOut(pool, 1, TimeUnit.MILLISECONDS.toNanos(5));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch othersDone = new CountDownLatch(9);
    List<FanOut.Call<String>> calls = new ArrayList<>();
    calls.add(() -> {
      try {
        release.await();
        return "slow";
      } catch (InterruptedException e) {
        return "interrupted";
      }
    });
    for (int i = 1; i < 10; i++) {
      int v = i;
      calls.add(() -> {
        othersDone.countDown();
        return "quick" + v;
      });
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
    FanOut f = new FanOut(pool, 2, TimeUnit.MILLISECONDS.toNanos(1));
    AtomicBoolean sawInterrupt = new AtomicBoolean();
    CountDownLatch blocked = new CountDownLatch(1);
    List<FanOut.Call<String>> calls = List.of(
        () -> "fast",
        () -> {
          blocked.countDown();
          try {
            Thread.sleep(60_000);
            return "woke";
          } catch (InterruptedException e) {
            sawInterrupt.set(true);
            return "interrupted";
          }
        });
    List<String> out = f.run(calls, in(300), i -> "unfinished " + i);
    assertEquals(List.of("fast", "unfinished 1"), out);
    assertTrue(blocked.await(10, TimeUnit.SECONDS));
    // The interrupted worker must give its pool thread back clean.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!sawInterrupt.get() && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertTrue(sawInterrupt.get());
    List<Boolean> flags = new FanOut(pool, 4, TimeUnit.SECONDS.toNanos(1)).run(
        List.of(() -> Thread.currentThread().isInterrupted(), () -> Thread.currentThread().isInterrupted(),
            () -> Thread.currentThread().isInterrupted()), in(60_000), i -> true);
    assertEquals(List.of(false, false, false), flags);
  }

  @Test
  void aCallThatThrowsIsUnfinishedNotFatal() throws Exception {
    FanOut f = new FanOut(pool, 2, TimeUnit.MILLISECONDS.toNanos(1));
    List<FanOut.Call<String>> calls = List.of(() -> "a", () -> {
      throw new IllegalStateException("backend bug");
    }, () -> "c");
    assertEquals(List.of("a", "unfinished", "c"), f.run(calls, in(60_000), i -> "unfinished"));
  }
}
