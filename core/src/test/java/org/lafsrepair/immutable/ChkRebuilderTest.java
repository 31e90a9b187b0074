package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
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
}
