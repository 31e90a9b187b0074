package org.lafsrepair.internal.hashtree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.testing.ChkCorpus;

class HashTreeTest {

  static byte[][] leaves(int count, long seed) {
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      out[i] = Hashes.tagged("test leaf", (seed + ":" + i).getBytes(StandardCharsets.US_ASCII));
    }
    return out;
  }

  /** Straightforward recursive reference: root of leaf positions [lo, hi) of the padded row. */
  static byte[] referenceRoot(byte[][] leaves, int lo, int hi) {
    if (hi - lo == 1) {
      return lo < leaves.length ? leaves[lo] : HashTree.emptyLeafHash(lo);
    }
    int mid = (lo + hi) / 2;
    byte[] l = referenceRoot(leaves, lo, mid);
    byte[] r = referenceRoot(leaves, mid, hi);
    byte[] a = Hashes.netstring(l);
    byte[] b = Hashes.netstring(r);
    byte[] cat = new byte[a.length + b.length];
    System.arraycopy(a, 0, cat, 0, a.length);
    System.arraycopy(b, 0, cat, a.length, b.length);
    return Hashes.tagged(Hashes.TAG_INTERNAL_NODE, cat);
  }

  @Property(tries = 60)
  void rootMatchesRecursiveReference(@ForAll @IntRange(min = 0, max = 70) int count) {
    byte[][] leaves = leaves(count, count);
    HashTree t = HashTree.of(leaves);
    int p = HashTree.paddedLeaves(count);
    assertEquals(p, t.paddedLeafCount());
    assertEquals(2 * p - 1, t.nodeCount());
    assertArrayEquals(referenceRoot(leaves, 0, p), t.root());
  }

  @Property(tries = 60)
  void everyInteriorNodeHashesItsChildrenAndPaddingIsNumberedByLeafPosition(
      @ForAll @IntRange(min = 1, max = 70) int count) {
    HashTree t = HashTree.of(leaves(count, 7 * count));
    byte[] ser = t.toBytes();
    assertEquals(HashTree.treeBytes(count), ser.length);
    int p = t.paddedLeafCount();
    for (int i = 0; i < p - 1; i++) {
      assertArrayEquals(HashTree.pairHash(t.node(2 * i + 1), t.node(2 * i + 2)), t.node(i));
    }
    for (int j = count; j < p; j++) {
      assertArrayEquals(HashTree.emptyLeafHash(j), t.leaf(j));
    }
    for (int i = 0; i < t.nodeCount(); i++) {
      assertArrayEquals(Arrays.copyOfRange(ser, 32 * i, 32 * i + 32), t.node(i));
    }
  }

  @Test
  void oneLeafTreeIsTheLeafItself() {
    byte[][] l = leaves(1, 1);
    HashTree t = HashTree.of(l);
    assertEquals(1, t.nodeCount());
    assertArrayEquals(l[0], t.root());
    assertArrayEquals(new int[] {0}, HashTree.immutableChainNodes(1, 0));
    assertEquals(0, HashTree.mutableChainNodes(1, 0).length);
  }

  @Test
  void emptyLeafHashUsesDecimalPosition() {
    assertArrayEquals(
        Hashes.tagged("Merkle tree empty leaf", "9".getBytes(StandardCharsets.US_ASCII)),
        HashTree.emptyLeafHash(9));
  }

  @Test
  void immutableChainOrderMatchesCPythonSetIteration() throws IOException {
    int checked = 0;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                getClass().getResourceAsStream("/hashtree/cpython311-immutable-chain-order.txt"),
                StandardCharsets.US_ASCII))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split(": ");
        String[] nl = parts[0].split(" ");
        int[] expected = Arrays.stream(parts[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int n = Integer.parseInt(nl[0]);
        int leaf = Integer.parseInt(nl[1]);
        assertArrayEquals(expected, HashTree.immutableChainNodes(n, leaf), line);
        checked++;
      }
    }
    assertEquals(820 + 1387, checked);
  }

  @Test
  void documentedChainExamples() {
    assertArrayEquals(new int[] {2, 4, 8, 15, 16}, HashTree.immutableChainNodes(10, 0));
    assertArrayEquals(new int[] {8, 2, 4, 7}, HashTree.immutableChainNodes(7, 0));
    assertArrayEquals(
        new int[] {256, 32, 64, 128, 4, 2, 8, 16, 255}, HashTree.immutableChainNodes(256, 0));
    assertArrayEquals(new int[] {2, 4, 8, 16}, HashTree.mutableChainNodes(10, 0));
  }

  @Property(tries = 50)
  void mutableChainIsSortedSiblingsOnly(
      @ForAll @IntRange(min = 1, max = 256) int n, @ForAll @IntRange(min = 0, max = 255) int l) {
    int leaf = l % n;
    int[] mutable = HashTree.mutableChainNodes(n, leaf);
    int[] immutable = HashTree.immutableChainNodes(n, leaf);
    int leafNode = HashTree.leafNode(n, leaf);
    int[] withoutLeaf = Arrays.stream(immutable).filter(x -> x != leafNode).sorted().toArray();
    assertArrayEquals(withoutLeaf, mutable);
    assertEquals(mutable.length + 1, immutable.length);
  }

  /**
   * Real Tahoe shares: the stored crypttext and block trees are the trees over their own leaves,
   * and each stored share-hash chain is our share tree's chain, in Tahoe's order.
   */
  @Test
  void reproducesTreesAndChainsStoredInCorpusShares() {
    for (ChkCorpus.Case c : ChkCorpus.cases()) {
      List<byte[]> blockRoots = new ArrayList<>();
      List<byte[]> chains = new ArrayList<>();
      for (int sh = 0; sh < c.n(); sh++) {
        ByteBuffer d = ByteBuffer.wrap(c.share(sh).shareData());
        assertEquals(1, d.getInt(0));
        int ct = d.getInt(0x14);
        int bh = d.getInt(0x18);
        int sh2 = d.getInt(0x1c);
        int ueb = d.getInt(0x20);
        byte[] stored = new byte[bh - ct];
        d.get(ct, stored);
        assertTreeRebuildsFromItsLeaves(c.numSegments(), stored, c + " crypttext tree");
        byte[] blockTree = new byte[sh2 - bh];
        d.get(bh, blockTree);
        assertTreeRebuildsFromItsLeaves(c.numSegments(), blockTree, c + " block tree");
        blockRoots.add(Arrays.copyOf(blockTree, 32));
        byte[] chain = new byte[ueb - sh2];
        d.get(sh2, chain);
        chains.add(chain);
      }
      HashTree shareTree = HashTree.of(blockRoots);
      for (int sh = 0; sh < c.n(); sh++) {
        assertArrayEquals(
            chains.get(sh),
            shareTree.chainBytes(HashTree.immutableChainNodes(c.n(), sh)),
            c + " chain of share " + sh);
      }
    }
  }

  private static void assertTreeRebuildsFromItsLeaves(int leaves, byte[] stored, String what) {
    int p = HashTree.paddedLeaves(leaves);
    assertEquals(HashTree.treeBytes(leaves), stored.length, what);
    byte[] leafBytes = Arrays.copyOfRange(stored, (p - 1) * 32, (p - 1 + leaves) * 32);
    assertArrayEquals(stored, HashTree.ofConcatenated(leafBytes, leaves).toBytes(), what);
  }
}
