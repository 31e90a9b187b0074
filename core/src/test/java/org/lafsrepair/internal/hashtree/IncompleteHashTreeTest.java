package org.lafsrepair.internal.hashtree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class IncompleteHashTreeTest {

  private static Map<Integer, byte[]> chain(HashTree t, int[] nodes) {
    Map<Integer, byte[]> m = new HashMap<>();
    for (int n : nodes) {
      m.put(n, t.node(n));
    }
    return m;
  }

  private static Map<Integer, byte[]> all(HashTree t) {
    Map<Integer, byte[]> m = new HashMap<>();
    for (int i = 0; i < t.nodeCount(); i++) {
      m.put(i, t.node(i));
    }
    return m;
  }

  private static boolean[] known(IncompleteHashTree t) {
    boolean[] k = new boolean[t.nodeCount()];
    for (int i = 0; i < k.length; i++) {
      k[i] = t.has(i);
    }
    return k;
  }

  @Property(tries = 80)
  void validChainIsAcceptedAndMakesTheLeafKnown(
      @ForAll @IntRange(min = 1, max = 300) int n, @ForAll @IntRange(min = 0, max = 299) int l)
      throws Exception {
    int leaf = l % n;
    HashTree t = HashTree.of(HashTreeTest.leaves(n, l));
    IncompleteHashTree it = new IncompleteHashTree(n, t.root());
    it.addHashes(chain(t, HashTree.immutableChainNodes(n, leaf)));
    assertArrayEquals(t.leaf(leaf), it.leaf(leaf));
    assertEquals(0, it.neededHashes(leaf, true).length);
  }

  @Property(tries = 80)
  void mutableChainPlusLeafHashIsAccepted(
      @ForAll @IntRange(min = 1, max = 300) int n, @ForAll @IntRange(min = 0, max = 299) int l)
      throws Exception {
    int leaf = l % n;
    HashTree t = HashTree.of(HashTreeTest.leaves(n, 3 * l));
    IncompleteHashTree it = new IncompleteHashTree(n, t.root());
    assertArrayEquals(HashTree.mutableChainNodes(n, leaf), it.neededHashes(leaf, false));
    // Tahoe's mutable retrieve adds the chain and the leaf in one batch: alone, the lowest
    // sibling cannot be checked.
    if (n > 1) {
      assertThrows(
          NotEnoughHashesException.class,
          () -> it.addHashes(chain(t, HashTree.mutableChainNodes(n, leaf))));
    }
    it.addHashes(chain(t, HashTree.mutableChainNodes(n, leaf)), Map.of(leaf, t.leaf(leaf)));
    assertTrue(it.has(it.leafNode(leaf)));
  }

  @Property(tries = 100)
  void anyCorruptedChainEntryIsRejectedAndTheTreeIsUnchanged(
      @ForAll @IntRange(min = 2, max = 300) int n,
      @ForAll @IntRange(min = 0, max = 299) int l,
      @ForAll @IntRange(min = 0, max = 1000) int pick,
      @ForAll @IntRange(min = 0, max = 255) int bit) throws Exception {
    int leaf = l % n;
    HashTree t = HashTree.of(HashTreeTest.leaves(n, pick));
    IncompleteHashTree it = new IncompleteHashTree(n, t.root());
    // Some earlier, valid knowledge that must survive the failed batch.
    it.addHashes(chain(t, HashTree.immutableChainNodes(n, (leaf + 1) % n)));
    boolean[] before = known(it);
    int[] nodes = HashTree.immutableChainNodes(n, leaf);
    Map<Integer, byte[]> bad = chain(t, nodes);
    int victim = nodes[pick % nodes.length];
    bad.get(victim)[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThrows(BadHashException.class, () -> it.addHashes(bad));
    assertArrayEquals(before, known(it));
  }

  @Property(tries = 100)
  void chainMissingAnEntryIsNotEnough(
      @ForAll @IntRange(min = 2, max = 300) int n,
      @ForAll @IntRange(min = 0, max = 299) int l,
      @ForAll @IntRange(min = 0, max = 1000) int pick) {
    int leaf = l % n;
    HashTree t = HashTree.of(HashTreeTest.leaves(n, pick));
    IncompleteHashTree it = new IncompleteHashTree(n, t.root());
    int[] nodes = HashTree.immutableChainNodes(n, leaf);
    Map<Integer, byte[]> partial = chain(t, nodes);
    partial.remove(nodes[pick % nodes.length]);
    assertThrows(NotEnoughHashesException.class, () -> it.addHashes(partial));
    for (int i = 1; i < it.nodeCount(); i++) {
      assertFalse(it.has(i));
    }
  }

  @Property(tries = 60)
  void wholeTreeIsConsistentAndAnyAlteredNodeIsRejected(
      @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll @IntRange(min = 0, max = 1000) int pick,
      @ForAll @IntRange(min = 0, max = 255) int bit) throws Exception {
    HashTree t = HashTree.of(HashTreeTest.leaves(n, pick + 11));
    IncompleteHashTree good = new IncompleteHashTree(n, t.root());
    good.addHashes(all(t));
    for (int i = 0; i < t.nodeCount(); i++) {
      assertArrayEquals(t.node(i), good.get(i));
    }
    IncompleteHashTree it = new IncompleteHashTree(n, t.root());
    Map<Integer, byte[]> bad = all(t);
    bad.get(pick % t.nodeCount())[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThrows(BadHashException.class, () -> it.addHashes(bad));
    for (int i = 1; i < it.nodeCount(); i++) {
      assertFalse(it.has(i));
    }
  }

  @Property(tries = 60)
  void wrongLeafIsRejectedWithItsChain(
      @ForAll @IntRange(min = 1, max = 100) int n,
      @ForAll @IntRange(min = 0, max = 99) int l,
      @ForAll @IntRange(min = 0, max = 255) int bit) throws Exception {
    int leaf = l % n;
    HashTree t = HashTree.of(HashTreeTest.leaves(n, bit));
    IncompleteHashTree it = new IncompleteHashTree(n, t.root());
    Map<Integer, byte[]> path = chain(t, HashTree.mutableChainNodes(n, leaf));
    byte[] wrong = t.leaf(leaf);
    wrong[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThrows(BadHashException.class, () -> it.addHashes(path, Map.of(leaf, wrong)));
    assertEquals(n == 1, it.has(it.leafNode(leaf)));
    assertDoesNotThrow(() -> it.addHashes(path, Map.of(leaf, t.leaf(leaf))));
    // Once the path is known, a lone wrong leaf is caught too.
    assertThrows(BadHashException.class, () -> it.addLeaf(leaf, wrong));
  }

  @Test
  void wrongRootRejectsEverything() {
    HashTree t = HashTree.of(HashTreeTest.leaves(10, 1));
    byte[] root = t.root();
    root[0] ^= 1;
    IncompleteHashTree it = new IncompleteHashTree(10, root);
    assertThrows(BadHashException.class, () -> it.addHashes(all(t)));
    assertThrows(
        BadHashException.class,
        () -> it.addHashes(chain(t, HashTree.immutableChainNodes(10, 3))));
  }

  @Test
  void outOfRangeOrMalformedHashesAreBadNotCrashes() {
    HashTree t = HashTree.of(HashTreeTest.leaves(10, 1));
    IncompleteHashTree it = new IncompleteHashTree(10, t.root());
    assertThrows(BadHashException.class, () -> it.addHashes(Map.of(31, t.root())));
    assertThrows(BadHashException.class, () -> it.addHashes(Map.of(-1, t.root())));
    assertThrows(BadHashException.class, () -> it.addHashes(Map.of(3, new byte[31])));
    assertThrows(BadHashException.class, () -> it.addHashes(Map.of(), Map.of(16, t.root())));
  }

  @Test
  void singleLeafTreeComparesTheLeafWithTheRoot() throws Exception {
    HashTree t = HashTree.of(HashTreeTest.leaves(1, 5));
    IncompleteHashTree it = new IncompleteHashTree(1, t.root());
    it.addHashes(Map.of(0, t.root()));
    byte[] other = t.root();
    other[31] ^= 1;
    assertThrows(BadHashException.class, () -> it.addLeaf(0, other));
  }
}
