package org.lafsrepair.internal.hashtree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A partially known hash tree anchored at a trusted root, with Tahoe's {@code
 * IncompleteHashTree.set_hashes} semantics (tahoe-formats.md §6.3): a batch of hashes is added
 * atomically, and is accepted only if every hash in it links, through siblings given in the batch
 * or already known, to a hash that was already trusted. On {@link BadHashException} or {@link
 * NotEnoughHashesException} the tree is left exactly as it was before the batch.
 *
 * <p>Unlike Tahoe's class the root is a constructor argument, so no instance ever holds hashes
 * that were not checked against a trusted root. Not thread-safe.
 */
public final class IncompleteHashTree {
  private static final int H = 32;

  private final int leafCount;
  private final int firstLeaf;
  private final byte[][] nodes;

  /**
   * @param leafCount number of real leaves (the tree is padded as {@link HashTree} does)
   * @param trustedRoot the root hash from a trusted source (cap, UEB, signed prefix)
   */
  public IncompleteHashTree(int leafCount, byte[] trustedRoot) {
    if (trustedRoot == null || trustedRoot.length != H) {
      throw new IllegalArgumentException("root must be a 32-byte hash");
    }
    this.leafCount = leafCount;
    int p = HashTree.paddedLeaves(leafCount);
    this.firstLeaf = p - 1;
    this.nodes = new byte[2 * p - 1][];
    this.nodes[0] = trustedRoot.clone();
  }

  public int leafCount() {
    return leafCount;
  }

  public int nodeCount() {
    return nodes.length;
  }

  /** Node index of leaf j. */
  public int leafNode(int leaf) {
    checkLeaf(leaf);
    return firstLeaf + leaf;
  }

  /** Whether node i is known (and therefore validated). */
  public boolean has(int node) {
    return node >= 0 && node < nodes.length && nodes[node] != null;
  }

  /** Known node i (copy), or null. */
  public byte[] get(int node) {
    if (node < 0 || node >= nodes.length) {
      throw new IndexOutOfBoundsException("node " + node);
    }
    return nodes[node] == null ? null : nodes[node].clone();
  }

  /** Known leaf j (copy), or null. */
  public byte[] leaf(int leaf) {
    return get(leafNode(leaf));
  }

  /**
   * The nodes still unknown that are needed to validate leaf j (Tahoe's {@code needed_hashes}):
   * the unknown siblings on its path, plus the leaf itself when {@code includeLeaf}, ascending.
   */
  public int[] neededHashes(int leaf, boolean includeLeaf) {
    int node = leafNode(leaf);
    TreeSet<Integer> needed = new TreeSet<>();
    for (int s : HashTree.siblingsToRoot(node)) {
      needed.add(s);
    }
    if (includeLeaf) {
      needed.add(node);
    }
    return needed.stream().mapToInt(Integer::intValue).filter(i -> nodes[i] == null).toArray();
  }

  /** Adds a batch of node hashes; see the class comment. */
  public void addHashes(Map<Integer, byte[]> hashes)
      throws BadHashException, NotEnoughHashesException {
    addHashes(hashes, Map.of());
  }

  /** Checks one leaf hash (e.g. a block's hash) against the tree, adding it if it links. */
  public void addLeaf(int leaf, byte[] hash) throws BadHashException, NotEnoughHashesException {
    addHashes(Map.of(), Map.of(leaf, hash));
  }

  /**
   * Adds a batch of node hashes and leaf hashes (leaves by leaf number) atomically; see the class
   * comment.
   */
  public void addHashes(Map<Integer, byte[]> hashes, Map<Integer, byte[]> leaves)
      throws BadHashException, NotEnoughHashesException {
    TreeMap<Integer, byte[]> batch = new TreeMap<>();
    for (Map.Entry<Integer, byte[]> e : hashes.entrySet()) {
      int i = e.getKey();
      if (i < 0 || i >= nodes.length) {
        throw new BadHashException("node " + i + " is not in a tree of " + nodes.length, i);
      }
      batch.put(i, checkHash(e.getValue(), i));
    }
    for (Map.Entry<Integer, byte[]> e : leaves.entrySet()) {
      int leaf = e.getKey();
      if (leaf < 0 || leaf > nodes.length - 1 - firstLeaf) {
        throw new BadHashException("leaf " + leaf + " is not in the tree", -1);
      }
      int i = firstLeaf + leaf;
      byte[] h = checkHash(e.getValue(), i);
      byte[] prior = batch.get(i);
      if (prior != null && !Arrays.equals(prior, h)) {
        throw new BadHashException("leaf " + leaf + " conflicts with hash " + i + " in batch", i);
      }
      batch.put(i, h);
    }

    List<Integer> added = new ArrayList<>();
    try {
      int levels = HashTree.depth(nodes.length - 1) + 1;
      List<TreeSet<Integer>> toCheck = new ArrayList<>(levels);
      for (int l = 0; l < levels; l++) {
        toCheck.add(new TreeSet<>());
      }
      for (Map.Entry<Integer, byte[]> e : batch.entrySet()) {
        int i = e.getKey();
        if (nodes[i] != null) {
          if (!Arrays.equals(nodes[i], e.getValue())) {
            throw new BadHashException("hash " + i + " differs from the known hash", i);
          }
        } else {
          nodes[i] = e.getValue();
          added.add(i);
          toCheck.get(HashTree.depth(i)).add(i);
        }
      }
      byte[] parentHash = new byte[H];
      HashTree.PairHasher hasher = new HashTree.PairHasher();
      for (int level = levels - 1; level >= 1; level--) {
        TreeSet<Integer> thisLevel = toCheck.get(level);
        while (!thisLevel.isEmpty()) {
          int i = thisLevel.pollFirst();
          int sib = HashTree.sibling(i);
          if (nodes[sib] == null) {
            throw new NotEnoughHashesException("cannot validate hash " + i + ": no sibling", i);
          }
          int left = Math.min(i, sib);
          int right = Math.max(i, sib);
          hasher.hash(nodes[left], 0, nodes[right], 0, parentHash, 0);
          int parent = HashTree.parent(i);
          if (nodes[parent] != null) {
            if (!Arrays.equals(nodes[parent], parentHash)) {
              throw new BadHashException(
                  "H(" + left + "," + right + ") differs from hash " + parent, parent);
            }
          } else {
            nodes[parent] = parentHash.clone();
            added.add(parent);
            toCheck.get(level - 1).add(parent);
          }
          thisLevel.remove(sib);
        }
      }
    } catch (BadHashException | NotEnoughHashesException | RuntimeException e) {
      for (int i : added) {
        nodes[i] = null;
      }
      throw e;
    }
  }

  private static byte[] checkHash(byte[] h, int node) throws BadHashException {
    if (h == null || h.length != H) {
      throw new BadHashException("hash " + node + " is not 32 bytes", node);
    }
    return h.clone();
  }

  private void checkLeaf(int leaf) {
    if (leaf < 0 || leaf >= nodes.length - firstLeaf) {
      throw new IllegalArgumentException("leaf " + leaf + " out of range");
    }
  }
}
