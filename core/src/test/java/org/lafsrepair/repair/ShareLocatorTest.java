package org.lafsrepair.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.memory.Faults;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.MemoryGrids;

class ShareLocatorTest {
  private static final StorageIndex SI = StorageIndex.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  private static final Duration LONG = Duration.ofSeconds(30);

  // Shared by the JUnit tests and the jqwik property (two engines, so no common lifecycle hook);
  // daemon threads, so nothing outlives the test JVM.
  private static final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "locator-test");
    t.setDaemon(true);
    return t;
  });

  /** Server i holds share i (of 100 + i bytes); shares stored before any fault is set. */
  private static List<MemoryStorageServer> serversWithShares(int count) throws StorageException {
    List<MemoryStorageServer> servers = MemoryGrids.servers(count);
    for (int i = 0; i < count; i++) {
      try (ImmutableUpload u = servers.get(i).allocate(SI, ShareNumber.of(i), 100 + i, LeaseSecrets.random())) {
        u.write(0, ByteBuffer.wrap(new byte[100 + i]));
        u.commit();
      }
    }
    return servers;
  }

  private static List<ShareInfo> expected(int i) {
    return List.of(new ShareInfo(ShareNumber.of(i), ShareKind.IMMUTABLE, 100 + i));
  }

  private static List<StorageServer> asServers(List<MemoryStorageServer> list) {
    return new ArrayList<>(list);
  }

  @Test
  void everyServerAnswersInTheOrderGiven() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(10);
    List<StorageServer> order = asServers(servers);
    java.util.Collections.reverse(order);
    ShareLocator locator = new ShareLocator(pool, LONG);
    List<ShareLocator.Answer> answers = locator.locate(order, SI);
    assertEquals(10, answers.size());
    for (int k = 0; k < 10; k++) {
      int i = 9 - k;
      assertSame(servers.get(i), answers.get(k).server());
      assertTrue(answers.get(k).responded());
      assertEquals(expected(i), answers.get(k).shares());
    }
    assertEquals(List.of(), locator.locate(List.of(), SI));
  }

  @Test
  void aFailingServerIsReportedWithItsReasonAndTheOthersStillAnswer() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(5);
    servers.get(1).faults().failAlways(Faults.Op.LIST);
    servers.get(3).faults().offline();
    List<ShareLocator.Answer> answers = new ShareLocator(pool, LONG).locate(asServers(servers), SI);
    assertFalse(answers.get(1).responded());
    assertFalse(answers.get(3).responded());
    assertTrue(answers.get(3).failure().contains("offline"), answers.get(3).failure());
    assertEquals(List.of(), answers.get(1).shares());
    for (int i : new int[] {0, 2, 4}) {
      assertEquals(expected(i), answers.get(i).shares());
    }
  }

  @Test
  void aServerStuckInTheOnlySharedWorkerIsHedgedSoTheOthersAnswer() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(6);
    servers.get(0).faults().delay(Faults.Op.LIST, LONG);
    // One shared worker takes the stuck server first: without hedging nobody lists the rest.
    ShareLocator locator = new ShareLocator(pool, Duration.ofMillis(800), 1, Duration.ofMillis(20));
    long t0 = System.nanoTime();
    List<ShareLocator.Answer> answers = locator.locate(asServers(servers), SI);
    long took = System.nanoTime() - t0;
    assertTrue(took < Duration.ofSeconds(10).toNanos(), "bounded by the timeout, not the 30 s stall");
    assertEquals("no answer within 800 ms", answers.get(0).failure());
    for (int i = 1; i < 6; i++) {
      assertEquals(expected(i), answers.get(i).shares(), "server " + i);
    }
    assertTrue(locator.seemsSlow(servers.get(0)), "the stall is remembered");
    assertFalse(locator.seemsSlow(servers.get(1)));
  }

  @Test
  void aServerKnownAsQuickThatStallsIsStillHedged() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(8);
    // Two processors: quick rounds run on one shared worker while the caller spins.
    ShareLocator locator = new ShareLocator(pool, Duration.ofMillis(600), 2, Duration.ofMillis(5));
    for (int r = 0; r < 20; r++) {
      assertTrue(locator.locate(asServers(servers), SI).stream().allMatch(ShareLocator.Answer::responded));
    }
    servers.get(0).faults().delay(Faults.Op.LIST, LONG);
    List<ShareLocator.Answer> answers = locator.locate(asServers(servers), SI);
    assertEquals("no answer within 600 ms", answers.get(0).failure());
    for (int i = 1; i < 8; i++) {
      assertEquals(expected(i), answers.get(i).shares(), "server " + i);
    }
  }

  @Test
  void roundsHandedToLingeringWorkersAreNeverStranded() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(6);
    // A stranded round (offered, taken by nobody) would show as servers not answering in 5 s.
    ShareLocator locator = new ShareLocator(pool, Duration.ofSeconds(5), 2, Duration.ofMillis(50));
    Callable<Integer> checks = () -> {
      int good = 0;
      for (int r = 0; r < 300; r++) {
        List<ShareLocator.Answer> answers = locator.locate(asServers(servers), SI);
        for (int i = 0; i < 6; i++) {
          assertEquals(expected(i), answers.get(i).shares());
        }
        good++;
      }
      return good;
    };
    assertEquals(300, checks.call());
    // Concurrent callers turn spinning and lingering off and on as rounds overlap.
    List<Future<Integer>> parallel = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      parallel.add(pool.submit(checks));
    }
    for (Future<Integer> f : parallel) {
      assertEquals(300, f.get(60, TimeUnit.SECONDS));
    }
    assertEquals(300, checks.call());
  }

  @Test
  void aRememberedSlowServerGetsItsOwnWorkerAndDelaysNobody() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(4);
    servers.get(0).faults().delay(Faults.Op.LIST, Duration.ofMillis(300));
    // A hedge longer than the timeout: only a worker of its own keeps server 0 off the others.
    ShareLocator locator = new ShareLocator(pool, Duration.ofSeconds(2), 1, Duration.ofMillis(100));
    List<ShareLocator.Answer> first = locator.locate(asServers(servers), SI);
    assertTrue(first.stream().allMatch(ShareLocator.Answer::responded), "slow, but within the timeout");
    assertTrue(locator.seemsSlow(servers.get(0)));
    ShareLocator tight = new ShareLocator(pool, Duration.ofMillis(200), 1, Duration.ofSeconds(5));
    List<ShareLocator.Answer> unhedged = tight.locate(asServers(servers), SI);
    assertFalse(unhedged.get(0).responded());
    assertFalse(unhedged.get(1).responded(), "a fresh locator queues the others behind the slow server");
    // The stall is remembered: next time the others no longer wait behind server 0.
    assertTrue(tight.seemsSlow(servers.get(0)));
    List<ShareLocator.Answer> second = tight.locate(asServers(servers), SI);
    assertFalse(second.get(0).responded());
    for (int i = 1; i < 4; i++) {
      assertEquals(expected(i), second.get(i).shares(), "server " + i);
    }
  }

  private static List<ListingWitness> witnesses(List<MemoryStorageServer> servers, Locality... localities) {
    List<ListingWitness> out = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      out.add(new ListingWitness(servers.get(i), localities[i % localities.length]));
    }
    return out;
  }

  private static void assertAllAnswered(List<ShareLocator.Answer> answers) {
    for (int i = 0; i < answers.size(); i++) {
      assertEquals(expected(i), answers.get(i).shares(), "server " + i);
    }
  }

  @Test
  void theCallerListsQuickLocalServersItselfOnceItKnowsThemQuick() throws Exception {
    List<ListingWitness> servers = witnesses(serversWithShares(6), Locality.LOCAL);
    // One processor: no helper is worth a hand-off, so the caller lists every server it may.
    ShareLocator locator = new ShareLocator(pool, Duration.ofSeconds(5), 1, Duration.ofMillis(50));
    Thread me = Thread.currentThread();
    assertAllAnswered(locator.locate(new ArrayList<>(servers), SI));
    assertTrue(servers.stream().noneMatch(w -> w.listedBy(me)), "servers not yet timed go to workers");
    assertAllAnswered(locator.locate(new ArrayList<>(servers), SI));
    assertTrue(servers.stream().allMatch(w -> w.listedBy(me)));
  }

  @Test
  void remoteServersAreNeverListedByTheCaller() throws Exception {
    List<ListingWitness> servers = witnesses(serversWithShares(6), Locality.LOCAL, Locality.REMOTE);
    Thread me = Thread.currentThread();
    for (int parallelism = 1; parallelism <= 3; parallelism++) {
      ShareLocator locator = new ShareLocator(pool, Duration.ofSeconds(5), parallelism, Duration.ofMillis(50));
      for (int r = 0; r < 20; r++) {
        assertAllAnswered(locator.locate(new ArrayList<>(servers), SI));
      }
    }
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i).locality() == Locality.REMOTE) {
        assertFalse(servers.get(i).listedBy(me), "server " + i);
      }
    }
    assertTrue(servers.get(0).listedBy(me), "with one processor the caller lists the local ones");
  }

  @Test
  void aLocalStallInTheCallersHandsHoldsItByThatListingOnlyAndIsThenRemembered() throws Exception {
    // The documented price of listing on the calling thread: a local storage stall in one of its
    // own listings holds the caller past the timeout, by that listing's length; every server still
    // answers, and the stalled server gets a worker of its own from then on.
    List<ListingWitness> servers = witnesses(serversWithShares(4), Locality.LOCAL);
    ShareLocator locator = new ShareLocator(pool, Duration.ofMillis(500), 1, Duration.ofMillis(50));
    for (int r = 0; r < 3; r++) {
      assertAllAnswered(locator.locate(new ArrayList<>(servers), SI));
    }
    assertTrue(servers.stream().noneMatch(locator::seemsSlow), "known as quick before the stall");
    servers.get(2).stallNextListing(Duration.ofMillis(800));
    long t0 = System.nanoTime();
    List<ShareLocator.Answer> stalled = locator.locate(new ArrayList<>(servers), SI);
    long took = System.nanoTime() - t0;
    assertTrue(took >= Duration.ofMillis(800).toNanos(), "the caller ran the stalled listing itself");
    assertTrue(took < Duration.ofSeconds(10).toNanos());
    assertAllAnswered(stalled);
    assertTrue(locator.seemsSlow(servers.get(2)));
    servers.forEach(ListingWitness::forgetListers);
    servers.get(2).stallNextListing(Duration.ofMillis(800));
    List<ShareLocator.Answer> next = locator.locate(new ArrayList<>(servers), SI);
    assertFalse(next.get(2).responded(), "now on a worker of its own, cut off at the timeout");
    assertFalse(servers.get(2).listedBy(Thread.currentThread()));
    for (int i : new int[] {0, 1, 3}) {
      assertEquals(expected(i), next.get(i).shares(), "server " + i);
    }
  }

  @Test
  void concurrentCallersListTheirLocalServersThemselvesAndWorkersTheRemoteOnes() throws Exception {
    List<ListingWitness> servers = witnesses(serversWithShares(8), Locality.LOCAL, Locality.LOCAL, Locality.REMOTE);
    ShareLocator locator = new ShareLocator(pool, Duration.ofSeconds(5), 2, Duration.ofMillis(50));
    Callable<Thread> checks = () -> {
      for (int r = 0; r < 200; r++) {
        assertAllAnswered(locator.locate(new ArrayList<>(servers), SI));
      }
      return Thread.currentThread();
    };
    // Callers of their own: a pool thread may have listed the remote server as some round's worker.
    ExecutorService callerThreads = Executors.newFixedThreadPool(3);
    try {
      List<Future<Thread>> callers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        callers.add(callerThreads.submit(checks));
      }
      for (Future<Thread> f : callers) {
        Thread caller = f.get(60, TimeUnit.SECONDS);
        assertFalse(servers.get(2).listedBy(caller), "a remote server stays on the workers");
        assertTrue(servers.get(0).listedBy(caller) || servers.get(1).listedBy(caller),
            "a caller lists local servers itself");
      }
    } finally {
      callerThreads.shutdownNow();
    }
  }

  @Test
  void listingsStillRunningAtTheTimeoutAreInterrupted() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(3);
    servers.get(2).faults().delay(Faults.Op.LIST, LONG);
    ThreadPoolExecutor own = new ThreadPoolExecutor(0, 8, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    try {
      List<ShareLocator.Answer> answers =
          new ShareLocator(own, Duration.ofMillis(100), 2, Duration.ofMillis(10)).locate(asServers(servers), SI);
      assertFalse(answers.get(2).responded());
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (own.getActiveCount() > 0 && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertEquals(0, own.getActiveCount(), "the 30 s listing was interrupted, not left running");
      // The interrupt did not leak: the pool's next task runs uninterrupted.
      Future<Boolean> next = own.submit((Callable<Boolean>) () -> Thread.currentThread().isInterrupted());
      assertFalse(next.get(5, TimeUnit.SECONDS));
    } finally {
      own.shutdownNow();
    }
  }

  @Test
  void anInterruptedCallerStopsTheRoundAndSaysSo() throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(2);
    servers.get(0).faults().delay(Faults.Op.LIST, LONG);
    Thread.currentThread().interrupt();
    try {
      assertThrows(InterruptedException.class,
          () -> new ShareLocator(pool, LONG).locate(asServers(servers), SI));
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aShutDownExecutorIsAnErrorNotASilentEmptyAnswer() throws Exception {
    ExecutorService dead = Executors.newSingleThreadExecutor();
    dead.shutdown();
    assertThrows(RejectedExecutionException.class,
        () -> new ShareLocator(dead, LONG).locate(asServers(serversWithShares(2)), SI));
  }

  @Test
  void settingsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new ShareLocator(pool, LONG, 0, Duration.ofMillis(1)));
    assertThrows(IllegalArgumentException.class, () -> new ShareLocator(pool, LONG, 1, Duration.ZERO));
  }

  /** What a server does when listed. */
  enum Behaviour { QUICK, SLOW_BUT_IN_TIME, FAILING, STUCK }

  @Provide
  Arbitrary<List<Behaviour>> grids() {
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.just(Behaviour.QUICK)),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(Behaviour.SLOW_BUT_IN_TIME)),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(Behaviour.FAILING)),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(Behaviour.STUCK)))
        .list().ofMinSize(1).ofMaxSize(12);
  }

  @Property(tries = 15)
  void everyServerGetsTheAnswerItsBehaviourDeserves(@ForAll("grids") List<Behaviour> grid,
      @ForAll @IntRange(min = 1, max = 4) int parallelism, @ForAll @IntRange(min = 1, max = 2) int rounds)
      throws Exception {
    List<MemoryStorageServer> servers = serversWithShares(grid.size());
    for (int i = 0; i < grid.size(); i++) {
      Faults f = servers.get(i).faults();
      switch (grid.get(i)) {
        case QUICK -> { }
        case SLOW_BUT_IN_TIME -> f.delay(Faults.Op.LIST, Duration.ofMillis(30));
        case FAILING -> f.failAlways(Faults.Op.LIST);
        case STUCK -> f.delay(Faults.Op.LIST, LONG);
      }
    }
    // The timeout leaves ample room for the slow listings, which all start after one hedge.
    ShareLocator locator = new ShareLocator(pool, Duration.ofMillis(300), parallelism, Duration.ofMillis(5));
    for (int r = 0; r < rounds; r++) {
      List<ShareLocator.Answer> answers = locator.locate(asServers(servers), SI);
      assertEquals(grid.size(), answers.size());
      for (int i = 0; i < grid.size(); i++) {
        ShareLocator.Answer a = answers.get(i);
        assertSame(servers.get(i), a.server());
        switch (grid.get(i)) {
          case QUICK, SLOW_BUT_IN_TIME -> assertEquals(expected(i), a.shares(), "server " + i + " " + grid);
          case FAILING -> assertFalse(a.responded());
          case STUCK -> assertEquals("no answer within 300 ms", a.failure());
        }
      }
    }
  }
}
