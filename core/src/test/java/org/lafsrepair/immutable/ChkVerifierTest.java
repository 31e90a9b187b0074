package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.hashtree.HashTree;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.testing.ChkCorpus;

class ChkVerifierTest {

  static ChkVerifyCap verifyCap(ChkCorpus.Case c) {
    try {
      return (ChkVerifyCap) Caps.parseVerifyCap(c.verifyCap());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static ShareVerdict verify(ChkCorpus.Case c, int sh, byte[] data) throws Exception {
    return ChkVerifier.verify(verifyCap(c), ShareNumber.of(sh), ShareSource.of(data));
  }

  static Set<ShareRegion> regions(ShareVerdict v) {
    assertInstanceOf(ShareVerdict.Corrupt.class, v, () -> "expected corrupt, got " + v);
    return ((ShareVerdict.Corrupt) v).problems().stream()
        .map(ShareProblem::region)
        .collect(Collectors.toSet());
  }

  @Test
  void everyCorpusShareIsGood() throws Exception {
    for (ChkCorpus.Case c : ChkCorpus.cases()) {
      for (ChkCorpus.Share s : c.shares()) {
        ShareVerdict v = verify(c, s.shnum(), s.shareData());
        assertTrue(v.isGood(), c + " share " + s.shnum() + ": " + v);
        assertEquals(s.dataEnd() - s.dataStart(), ((ShareVerdict.Good) v).length());
      }
    }
  }

  @Test
  void verifyingAShareTakesAHandfulOfReads() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    ShareSource inner = ShareSource.of(c.share(3).shareData());
    int[] reads = {0};
    ShareSource counting = (off, len) -> {
      reads[0]++;
      return inner.read(off, len);
    };
    assertTrue(ChkVerifier.verify(verifyCap(c), ShareNumber.of(3), counting).isGood());
    // Header, the metadata tail in one request, and the blocks (366 KB) in one.
    assertEquals(3, reads[0]);
  }

  record Flip(ChkCorpus.Case c, int sh, int offset, int bit) {}

  @Provide
  Arbitrary<Flip> flips() {
    List<ChkCorpus.Case> cases = ChkCorpus.cases();
    return Arbitraries.of(cases).flatMap(c -> {
      int len = c.shares().get(0).dataEnd() - c.shares().get(0).dataStart();
      // Half the flips land in the metadata after the blocks, which is small but dense.
      int metaStart = (int) (len - 4000L > 0 ? len - 4000 : 0);
      Arbitrary<Integer> offset = Arbitraries.oneOf(
          Arbitraries.integers().between(0, len - 1),
          Arbitraries.integers().between(metaStart, len - 1),
          Arbitraries.integers().between(0, Math.min(len, 0x44) - 1));
      return Combinators.combine(
              Arbitraries.integers().between(0, c.n() - 1), offset,
              Arbitraries.integers().between(0, 7))
          .as((sh, off, bit) -> new Flip(c, sh, off, bit));
    });
  }

  @Property(tries = 400)
  void anySingleFlippedBitIsDetected(@ForAll("flips") Flip f) throws Exception {
    byte[] data = f.c().share(f.sh()).shareData();
    data[f.offset()] ^= (byte) (1 << f.bit());
    ShareVerdict v = verify(f.c(), f.sh(), data);
    assertFalse(v.isGood(), () -> f + " went unnoticed");
  }

  private static final java.util.Map<String, WrittenBlocks> WRITTEN = new java.util.concurrent.ConcurrentHashMap<>();

  /** What a rebuild of share sh (from k other shares, or itself when N = k) records as written. */
  static WrittenBlocks writtenBlocks(ChkCorpus.Case c, int sh) {
    return WRITTEN.computeIfAbsent(c.name() + "/" + sh, key -> {
      try {
        List<ShareCandidate> sources = new java.util.ArrayList<>();
        for (int other = 0; other < c.n() && sources.size() < c.k(); other++) {
          if (other != sh || c.n() == c.k()) {
            sources.add(new ShareCandidate(ShareNumber.of(other),
                ShareSource.of(c.share(other).shareData()), "share " + other));
          }
        }
        ChkRebuilder.Prepared p = ChkRebuilder.prepare(verifyCap(c), sources);
        MemorySink sink = new MemorySink(p.shareLength());
        p.rebuild(java.util.Map.of(ShareNumber.of(sh), sink));
        return p.written(ShareNumber.of(sh)).orElseThrow();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Property(tries = 300)
  void readBackAgainstWhatWasWrittenCatchesAnyFlippedBitOrTruncation(@ForAll("flips") Flip f)
      throws Exception {
    WrittenBlocks w = writtenBlocks(f.c(), f.sh());
    byte[] good = f.c().share(f.sh()).shareData();
    assertTrue(ChkVerifier.verifyWritten(verifyCap(f.c()), ShareSource.of(good), w).isGood(),
        () -> f.c() + " share " + f.sh() + " as written");
    byte[] flipped = good.clone();
    flipped[f.offset()] ^= (byte) (1 << f.bit());
    assertFalse(ChkVerifier.verifyWritten(verifyCap(f.c()), ShareSource.of(flipped), w).isGood(),
        () -> f + " went unnoticed by the read-back");
    byte[] cut = Arrays.copyOf(good, f.offset());
    assertFalse(ChkVerifier.verifyWritten(verifyCap(f.c()), ShareSource.of(cut), w).isGood(),
        () -> "truncation to " + f.offset() + " went unnoticed by the read-back");
  }

  @Provide
  Arbitrary<Flip> truncations() {
    return Arbitraries.of(ChkCorpus.cases()).flatMap(c -> {
      int len = c.shares().get(0).dataEnd() - c.shares().get(0).dataStart();
      return Combinators.combine(
              Arbitraries.integers().between(0, c.n() - 1),
              Arbitraries.oneOf(
                  Arbitraries.integers().between(0, len - 1),
                  Arbitraries.integers().between(Math.max(0, len - 4000), len - 1)))
          .as((sh, cut) -> new Flip(c, sh, cut, 0));
    });
  }

  @Property(tries = 200)
  void truncationAtAnyPointIsDetected(@ForAll("truncations") Flip f) throws Exception {
    byte[] data = Arrays.copyOf(f.c().share(f.sh()).shareData(), f.offset());
    ShareVerdict v = verify(f.c(), f.sh(), data);
    assertFalse(v.isGood(), () -> "truncation to " + f.offset() + " of " + f.c() + " unnoticed");
  }

  @Test
  void everyByteAndEveryTruncationOfTheSmallestShareIsDetected() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k1n1-56");
    byte[] good = c.share(0).shareData();
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit += 3) {
        byte[] d = good.clone();
        d[i] ^= (byte) (1 << bit);
        assertFalse(verify(c, 0, d).isGood(), "flip at " + i);
      }
      assertFalse(verify(c, 0, Arrays.copyOf(good, i)).isGood(), "truncated to " + i);
    }
  }

  @Test
  void problemsNameRegionAndSegment() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    byte[] good = c.share(4).shareData();
    ShareLayout l = ShareLayout.parse(ByteBuffer.wrap(good));
    int bs = 43691;

    byte[] blockFlip = good.clone();
    blockFlip[(int) l.dataOffset() + 3 * bs + 17] ^= 1;
    ShareVerdict v = verify(c, 4, blockFlip);
    List<ShareProblem> ps = ((ShareVerdict.Corrupt) v).problems();
    assertEquals(1, ps.size(), ps::toString);
    assertEquals(ShareRegion.BLOCK, ps.get(0).region());
    assertEquals(3, ps.get(0).segment().getAsInt());

    byte[] leafFlip = good.clone();
    leafFlip[(int) l.blockHashesOffset() + (15 + 5) * 32] ^= 1; // leaf of segment 5
    assertEquals(Set.of(ShareRegion.BLOCK_HASH_TREE), regions(verify(c, 4, leafFlip)));

    byte[] chainFlip = good.clone();
    chainFlip[(int) l.shareHashesOffset() + 34 + 5] ^= 1;
    assertEquals(Set.of(ShareRegion.SHARE_HASH_CHAIN), regions(verify(c, 4, chainFlip)));

    byte[] ctFlip = good.clone();
    ctFlip[(int) l.crypttextTreeOffset() + 40] ^= 1;
    assertEquals(Set.of(ShareRegion.CRYPTTEXT_HASH_TREE), regions(verify(c, 4, ctFlip)));

    byte[] ptFlip = good.clone();
    ptFlip[(int) l.plaintextTreeOffset() + 100] = 7;
    assertEquals(Set.of(ShareRegion.PLAINTEXT_HASH_TREE), regions(verify(c, 4, ptFlip)));

    byte[] infoFlip = good.clone();
    infoFlip[7] ^= 1; // informational block size
    assertEquals(Set.of(ShareRegion.HEADER), regions(verify(c, 4, infoFlip)));

    byte[] uebFlip = good.clone();
    uebFlip[good.length - 10] ^= 1;
    assertEquals(Set.of(ShareRegion.URI_EXTENSION), regions(verify(c, 4, uebFlip)));

    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertEquals(Set.of(ShareRegion.LENGTH), regions(verify(c, 4, longer)));

    byte[] unknown = good.clone();
    unknown[3] = 3;
    assertInstanceOf(ShareVerdict.Incompatible.class, verify(c, 4, unknown));
  }

  @Test
  void wrongShareNumberOrWrongFileIsCorrupt() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    byte[] sh4 = c.share(4).shareData();
    // Share 5's chain has the same nodes as share 4's; only the block-tree root check notices.
    assertEquals(Set.of(ShareRegion.BLOCK_HASH_TREE), regions(verify(c, 5, sh4)));
    assertEquals(Set.of(ShareRegion.SHARE_HASH_CHAIN), regions(verify(c, 0, sh4)));
    ChkCorpus.Case other = ChkCorpus.byName("chk-k5n7-525534");
    assertEquals(Set.of(ShareRegion.URI_EXTENSION),
        regions(ChkVerifier.verify(verifyCap(other), ShareNumber.of(4), ShareSource.of(sh4))));
  }

  /**
   * Tahoe's verifier accepts a share whose blocks and block tree were replaced consistently; the
   * root no longer matches the share's leaf in the share tree, and we say so.
   */
  @Test
  void consistentlyReplacedBlocksAndBlockTreeAreCaught() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k2n3-131073");
    byte[] d = c.share(1).shareData();
    ShareLayout l = ShareLayout.parse(ByteBuffer.wrap(d));
    int segs = c.numSegments();
    int bs = 65536;
    d[(int) l.dataOffset() + 5] ^= 1;
    byte[] leaves = new byte[segs * 32];
    for (int s = 0; s < segs; s++) {
      int blen = s == segs - 1 ? 1 : bs;
      int off = (int) l.dataOffset() + s * bs;
      byte[] h = Hashes.tagged(Hashes.TAG_BLOCK, Arrays.copyOfRange(d, off, off + blen));
      System.arraycopy(h, 0, leaves, s * 32, 32);
    }
    byte[] tree = HashTree.ofConcatenated(leaves, segs).toBytes();
    System.arraycopy(tree, 0, d, (int) l.blockHashesOffset(), tree.length);
    ShareVerdict v = verify(c, 1, d);
    assertTrue(regions(v).contains(ShareRegion.BLOCK_HASH_TREE), v::toString);
  }
}
