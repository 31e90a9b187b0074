package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.testing.ChkCorpus;

class ChkRebuilderTest {

  static Stream<ChkCorpus.Case> corpus() {
    return ChkCorpus.cases().stream();
  }

  static ShareCandidate candidate(ChkCorpus.Case c, int sh) {
    return new ShareCandidate(
        ShareNumber.of(sh), ShareSource.of(c.share(sh).shareData()), "server" + sh);
  }

  /** Rebuilds {@code wanted} from exactly the {@code from} shares and checks bytes and verdict. */
  static void rebuildAndCompare(ChkCorpus.Case c, List<Integer> from, List<Integer> wanted)
      throws Exception {
    List<ShareCandidate> sources = new ArrayList<>();
    for (int sh : from) {
      sources.add(candidate(c, sh));
    }
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources);
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    Map<Integer, MemorySink> mem = new HashMap<>();
    for (int w : wanted) {
      MemorySink m = new MemorySink(p.shareLength());
      mem.put(w, m);
      sinks.put(ShareNumber.of(w), m);
    }
    p.rebuild(sinks);
    for (int w : wanted) {
      assertTrue(mem.get(w).complete(), c + " share " + w + " fully written");
      byte[] rebuilt = mem.get(w).bytes();
      assertArrayEquals(c.share(w).shareData(), rebuilt,
          c + ": share " + w + " rebuilt from " + from);
      assertTrue(ChkVerifierTest.verify(c, w, rebuilt).isGood());
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void everyShareRebuiltFromKOthersIsByteIdentical(ChkCorpus.Case c) throws Exception {
    Random r = new Random(c.name().hashCode());
    for (int w = 0; w < c.n(); w++) {
      List<Integer> others = new ArrayList<>();
      for (int sh = 0; sh < c.n(); sh++) {
        if (sh != w || c.n() == c.k()) {
          others.add(sh);
        }
      }
      Collections.shuffle(others, r);
      rebuildAndCompare(c, others.subList(0, c.k()), List.of(w));
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void allMissingSharesRebuiltTogetherFromExactlyK(ChkCorpus.Case c) throws Exception {
    // The last k shares survive (all check shares when N >= 2k): the worst case for decoding,
    // and the surviving chains leave most of the share tree to be recomputed.
    List<Integer> from = new ArrayList<>();
    List<Integer> wanted = new ArrayList<>();
    for (int sh = 0; sh < c.n(); sh++) {
      (sh >= c.n() - c.k() ? from : wanted).add(sh);
    }
    if (wanted.isEmpty()) {
      wanted.add(0);
    }
    rebuildAndCompare(c, from, wanted);
  }

  @Test
  void rowsOutsideEverySourceChainAreRecomputed() throws Exception {
    // Share 8's chain needs share 9's block-tree root (node 24), which no source chain of
    // shares 0-2 holds: row 9 is encoded and hashed but not written.
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    rebuildAndCompare(c, List.of(0, 1, 2), List.of(8));
    rebuildAndCompare(c, List.of(0, 1, 2), List.of(6, 9));
  }

  @Test
  void corruptSourceIsReplacedBySpare() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    byte[] bad = c.share(1).shareData();
    bad[36 + 5 * 43691 + 100] ^= 4; // a block in segment 5
    List<ShareCandidate> sources = new ArrayList<>(List.of(
        new ShareCandidate(ShareNumber.of(1), ShareSource.of(bad), "bad"),
        candidate(c, 2), candidate(c, 3), candidate(c, 7)));
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources);
    MemorySink m = new MemorySink(p.shareLength());
    p.rebuild(Map.of(ShareNumber.of(0), m));
    assertArrayEquals(c.share(0).shareData(), m.bytes());
    assertEquals(1, p.failures().size(), p.failures()::toString);
  }

  @Test
  void fewerThanKUsableSourcesFailsBeforeWriting() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k5n7-525534");
    byte[] bad = c.share(4).shareData();
    bad[bad.length - 3] ^= 1; // UEB
    List<ShareCandidate> sources = List.of(candidate(c, 0), candidate(c, 1), candidate(c, 2),
        candidate(c, 3), new ShareCandidate(ShareNumber.of(4), ShareSource.of(bad), "bad"));
    NotEnoughSharesException e = assertThrows(NotEnoughSharesException.class,
        () -> ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources));
    assertEquals(4, e.good());
    assertFalse(e.failures().isEmpty());
  }

  /** Rebuilds shares 0-3 of a multi-segment file from 4, 5, 6 with the given pool and lanes. */
  private static void parallelRebuildMatches(Executor pool, int parallelism) throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    List<ShareCandidate> sources = List.of(candidate(c, 4), candidate(c, 5), candidate(c, 6));
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources);
    Thread caller = Thread.currentThread();
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    Map<Integer, MemorySink> mem = new HashMap<>();
    long[] lastBlockOffset = {-1};
    for (int w = 0; w < 4; w++) {
      MemorySink m = new MemorySink(p.shareLength());
      mem.put(w, m);
      int row = w;
      sinks.put(ShareNumber.of(w), (offset, data) -> {
        assertEquals(caller, Thread.currentThread(), "sinks are written from the calling thread");
        if (row == 0 && offset >= p.layout().dataOffset()
            && offset < p.layout().dataOffset() + p.geometry().shareDataSize()) {
          assertTrue(offset > lastBlockOffset[0], "blocks arrive in segment order");
          lastBlockOffset[0] = offset;
        }
        m.write(offset, data);
      });
    }
    p.rebuild(sinks, pool, parallelism);
    for (int w = 0; w < 4; w++) {
      assertTrue(mem.get(w).complete());
      assertArrayEquals(c.share(w).shareData(), mem.get(w).bytes(), "share " + w + " with " + parallelism + " lanes");
    }
  }

  @Test
  void parallelRebuildWritesTheSameBytesInOrderFromTheCallingThread() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      for (int lanes : new int[] {1, 2, 3, 8}) {
        parallelRebuildMatches(pool, lanes);
      }
    } finally {
      pool.shutdownNow();
    }
    parallelRebuildMatches(Runnable::run, 4);
  }

  /** A 3-of-10 file of 2 MB in 4 KiB segments: 489 segments, so lanes take runs of many. */
  private static Map<Integer, byte[]> smallSegmentFile(ChkEncoding[] encoding) throws Exception {
    byte[] plain = new byte[2_000_000];
    new Random(11).nextBytes(plain);
    Map<Integer, MemorySink> mem = new HashMap<>();
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    ChkEncoder enc = ChkEncoder.convergent(3, 10, 4096, new byte[32]);
    ChkEncoder.Prepared prepared = enc.prepare(PlaintextSource.of(plain));
    for (int sh = 0; sh < 10; sh++) {
      MemorySink m = new MemorySink(prepared.shareLength());
      mem.put(sh, m);
      sinks.put(ShareNumber.of(sh), m);
    }
    encoding[0] = prepared.writeShares(PlaintextSource.of(plain), sinks);
    Map<Integer, byte[]> shares = new HashMap<>();
    mem.forEach((sh, m) -> shares.put(sh, m.bytes()));
    return shares;
  }

  @Test
  void runsOfManySegmentsRebuildTheSameBytesWithEveryCheckAndPool() throws Exception {
    ChkEncoding[] encoding = new ChkEncoding[1];
    Map<Integer, byte[]> shares = smallSegmentFile(encoding);
    assertTrue(encoding[0].geometry().numSegments() > 400);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (ChkRebuilder.SegmentCheck check : ChkRebuilder.SegmentCheck.values()) {
        for (Executor ex : List.<Executor>of(pool, Runnable::run)) {
          for (int parallelism : new int[] {1, 2, 4}) {
            List<ShareCandidate> sources = new ArrayList<>();
            for (int sh : new int[] {9, 4, 7}) {
              sources.add(new ShareCandidate(ShareNumber.of(sh), ShareSource.of(shares.get(sh)), "s" + sh));
            }
            ChkRebuilder.Prepared p = ChkRebuilder.prepare(encoding[0].verifyCap(), sources);
            Map<ShareNumber, ShareSink> sinks = new HashMap<>();
            Map<Integer, MemorySink> mem = new HashMap<>();
            for (int w : new int[] {0, 2, 5, 8}) {
              MemorySink m = new MemorySink(p.shareLength());
              mem.put(w, m);
              sinks.put(ShareNumber.of(w), m);
            }
            p.rebuild(sinks, ex, parallelism, check);
            for (int w : mem.keySet()) {
              assertArrayEquals(shares.get(w), mem.get(w).bytes(),
                  "share " + w + ", " + check + ", parallelism " + parallelism);
            }
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailingSinkStopsTheRebuildAndNoHelperWritesAfterIt() throws Exception {
    ChkEncoding[] encoding = new ChkEncoding[1];
    Map<Integer, byte[]> shares = smallSegmentFile(encoding);
    List<ShareCandidate> sources = new ArrayList<>();
    for (int sh : new int[] {3, 4, 5}) {
      sources.add(new ShareCandidate(ShareNumber.of(sh), ShareSource.of(shares.get(sh)), "s" + sh));
    }
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(encoding[0].verifyCap(), sources);
    java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
    ShareSink failing = (offset, data) -> {
      if (writes.incrementAndGet() == 100) {
        throw new org.lafsrepair.spi.StorageException("disk full");
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      assertThrows(org.lafsrepair.spi.StorageException.class,
          () -> p.rebuild(Map.of(ShareNumber.of(0), failing), pool, 4));
      int after = writes.get();
      Thread.sleep(50);
      assertEquals(100, after, "writing stops at the failure");
      assertEquals(after, writes.get(), "nothing is written once the rebuild has thrown");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void parallelRebuildFinishesWhenThePoolNeverRunsItsTasks() throws Exception {
    // A pool whose only thread is stuck (or which rejects work) must not hang the rebuild: the
    // calling thread runs any task no worker has started.
    ExecutorService stuck = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    stuck.execute(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> parallelRebuildMatches(stuck, 2));
    } finally {
      release.countDown();
      stuck.shutdownNow();
    }
    ExecutorService closed = Executors.newSingleThreadExecutor();
    closed.shutdown();
    parallelRebuildMatches(closed, 3);
  }

  @Test
  void parallelLanesEachDropACorruptSourceAndReportItOnce() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    byte[] bad = c.share(5).shareData();
    int segs = ChkGeometry.forUpload(3, 10, 1100000, 131072).numSegments();
    for (int s = 0; s < segs; s++) {
      bad[36 + s * 43691 + 7] ^= 0x40; // every segment's block: whichever lane fetches it fails
    }
    List<ShareCandidate> sources = List.of(candidate(c, 4),
        new ShareCandidate(ShareNumber.of(5), ShareSource.of(bad), "bad"), candidate(c, 6), candidate(c, 8));
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources);
    MemorySink m0 = new MemorySink(p.shareLength());
    MemorySink m9 = new MemorySink(p.shareLength());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      p.rebuild(Map.of(ShareNumber.of(0), m0, ShareNumber.of(9), m9), pool, 3);
    } finally {
      pool.shutdownNow();
    }
    assertArrayEquals(c.share(0).shareData(), m0.bytes());
    assertArrayEquals(c.share(9).shareData(), m9.bytes());
    assertEquals(1, p.failures().size(), p.failures()::toString);
    assertEquals("bad", p.failures().get(0).candidate().origin());
  }

  @Test
  void parallelRebuildFailsCleanlyWhenTooFewSourcesRemain() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    byte[] bad = c.share(5).shareData();
    bad[36 + 3 * 43691 + 1] ^= 1;
    List<ShareCandidate> sources = List.of(candidate(c, 4),
        new ShareCandidate(ShareNumber.of(5), ShareSource.of(bad), "bad"), candidate(c, 6));
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources);
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      assertThrows(NotEnoughSharesException.class,
          () -> p.rebuild(Map.of(ShareNumber.of(0), new MemorySink(p.shareLength())), pool, 2));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void readBackOfARebuiltShareComparesBlocksWithWhatWasWritten() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c),
        List.of(candidate(c, 4), candidate(c, 5), candidate(c, 6)));
    assertTrue(p.written(ShareNumber.of(0)).isEmpty(), "nothing written before the rebuild");
    MemorySink m0 = new MemorySink(p.shareLength());
    MemorySink m7 = new MemorySink(p.shareLength());
    p.rebuild(Map.of(ShareNumber.of(0), m0, ShareNumber.of(7), m7));
    WrittenBlocks w0 = p.written(ShareNumber.of(0)).orElseThrow();
    WrittenBlocks w7 = p.written(ShareNumber.of(7)).orElseThrow();
    var cap = ChkVerifierTest.verifyCap(c);
    assertTrue(ChkVerifier.verifyWritten(cap, ShareSource.of(m0.bytes()), w0).isGood());
    assertTrue(ChkVerifier.verifyWritten(cap, ShareSource.of(m7.bytes()), w7).isGood());

    byte[] flippedBlock = m0.bytes();
    flippedBlock[36 + 4 * 43691 + 17] ^= 1;
    ShareVerdict v = ChkVerifier.verifyWritten(cap, ShareSource.of(flippedBlock), w0);
    assertFalse(v.isGood());
    assertTrue(v.toString().contains("differs from the block written"), v::toString);

    byte[] truncated = java.util.Arrays.copyOf(m0.bytes(), 36 + 3 * 43691);
    assertFalse(ChkVerifier.verifyWritten(cap, ShareSource.of(truncated), w0).isGood());

    byte[] flippedUeb = m0.bytes();
    flippedUeb[flippedUeb.length - 5] ^= 1;
    assertFalse(ChkVerifier.verifyWritten(cap, ShareSource.of(flippedUeb), w0).isGood());

    // Another share's record never vouches for this one.
    assertFalse(ChkVerifier.verifyWritten(cap, ShareSource.of(m0.bytes()), w7).isGood());
    // The original, independently written share agrees with what the rebuild wrote.
    assertTrue(ChkVerifier.verifyWritten(cap, ShareSource.of(c.share(7).shareData()), w7).isGood());
  }

  @Test
  void checkingAtTheEndWritesTheSameBytesAndRefusesASourceThatChanged() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    var cap = ChkVerifierTest.verifyCap(c);
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      ChkRebuilder.Prepared good = ChkRebuilder.prepare(cap,
          List.of(candidate(c, 4), candidate(c, 5), candidate(c, 6)));
      MemorySink m1 = new MemorySink(good.shareLength());
      MemorySink m8 = new MemorySink(good.shareLength());
      good.rebuild(Map.of(ShareNumber.of(1), m1, ShareNumber.of(8), m8), pool, 2, ChkRebuilder.SegmentCheck.AT_END);
      assertArrayEquals(c.share(1).shareData(), m1.bytes());
      assertArrayEquals(c.share(8).shareData(), m8.bytes());

      byte[] changed = c.share(5).shareData();
      changed[36 + 6 * 43691 + 99] ^= 0x20;
      List<ShareCandidate> sources = List.of(candidate(c, 4),
          new ShareCandidate(ShareNumber.of(5), ShareSource.of(changed), "changed"), candidate(c, 6), candidate(c, 9));
      ChkRebuilder.Prepared trusting = ChkRebuilder.prepare(cap, sources);
      MemorySink t1 = new MemorySink(trusting.shareLength());
      assertThrows(SourcesChangedException.class, () -> trusting.rebuild(Map.of(ShareNumber.of(1), t1), pool, 2,
          ChkRebuilder.SegmentCheck.AT_END));
      assertTrue(trusting.written(ShareNumber.of(1)).isEmpty(), "nothing vouched for after a failed rebuild");

      ChkRebuilder.Prepared careful = ChkRebuilder.prepare(cap, sources);
      MemorySink c1 = new MemorySink(careful.shareLength());
      careful.rebuild(Map.of(ShareNumber.of(1), c1), pool, 2, ChkRebuilder.SegmentCheck.EVERY_SEGMENT);
      assertArrayEquals(c.share(1).shareData(), c1.bytes());
      assertEquals(1, careful.failures().size(), careful.failures()::toString);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void onlyAsManySourcesAreOpenedAsTheNewChainsNeed() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    java.util.concurrent.atomic.AtomicIntegerArray reads = new java.util.concurrent.atomic.AtomicIntegerArray(10);
    List<ShareCandidate> sources = new ArrayList<>();
    for (int sh = 1; sh < 10; sh++) {
      ShareSource data = ShareSource.of(c.share(sh).shareData());
      int which = sh;
      sources.add(new ShareCandidate(ShareNumber.of(sh), (offset, length) -> {
        reads.incrementAndGet(which);
        return data.read(offset, length);
      }, "server" + sh));
    }
    ChkRebuilder.Prepared p = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources);
    MemorySink m = new MemorySink(p.shareLength());
    p.rebuild(Map.of(ShareNumber.of(0), m));
    assertArrayEquals(c.share(0).shareData(), m.bytes());
    // Share 1's chain holds leaf 0's sibling and every uncle: shares 1-3 are enough.
    for (int sh = 4; sh < 10; sh++) {
      assertEquals(0, reads.get(sh), "share " + sh + " was read");
    }

    // Share 8's chain needs share 9's block-tree root, which no chain of shares 1-3 holds: one
    // more source is opened rather than encoding and hashing a whole extra row.
    ChkRebuilder.Prepared q = ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), sources);
    MemorySink m8 = new MemorySink(q.shareLength());
    q.rebuild(Map.of(ShareNumber.of(8), m8));
    assertArrayEquals(c.share(8).shareData(), m8.bytes());
    assertTrue(q.usableShares().size() > 3, q.usableShares()::toString);
  }
}
