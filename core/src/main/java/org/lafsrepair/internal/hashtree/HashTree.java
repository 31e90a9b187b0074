package org.lafsrepair.internal.hashtree;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.lafsrepair.internal.crypto.Hashes;

/**
 * A complete Merkle tree in Tahoe's shape (tahoe-formats.md §6.1, {@code hashtree.py}): leaves
 * padded to a power of two P with {@code H("Merkle tree empty leaf"; decimal(i))} at leaf position
 * i, 2P−1 nodes numbered breadth-first (root 0, children 2i+1 and 2i+2), interior nodes
 * {@code H2("Merkle tree internal node"; left, right)}. With P = 1 the root is the leaf itself.
 *
 * <p>Immutable and thread-safe; accessors return copies.
 */
public final class HashTree {
  /**
   * Largest leaf count accepted: the serialized tree, (2P−1)·32 bytes, must fit one array. 2^25
   * segments of 128 KiB are 4 TiB.
   */
  public static final int MAX_LEAVES = 1 << 25;

  private static final int H = Hashes.HASH_LENGTH;

  private final int leafCount;
  private final int paddedLeaves;
  // All 2P−1 nodes, 32 bytes each, in index order: exactly the serialized form.
  private final byte[] nodes;

  private HashTree(int leafCount, int paddedLeaves, byte[] nodes) {
    this.leafCount = leafCount;
    this.paddedLeaves = paddedLeaves;
    this.nodes = nodes;
  }

  /** Builds the tree over already-tagged 32-byte leaf hashes. */
  public static HashTree of(List<byte[]> leaves) {
    return of(leaves.toArray(new byte[0][]));
  }

  /** Builds the tree over already-tagged 32-byte leaf hashes. */
  public static HashTree of(byte[]... leaves) {
    int l = leaves.length;
    checkLeafCount(l);
    byte[] concat = new byte[l * H];
    for (int i = 0; i < l; i++) {
      if (leaves[i] == null || leaves[i].length != H) {
        throw new IllegalArgumentException("leaf " + i + " is not a 32-byte hash");
      }
      System.arraycopy(leaves[i], 0, concat, i * H, H);
    }
    return ofConcatenated(concat, l);
  }

  /**
   * Builds the tree over {@code count} leaf hashes stored back to back in {@code leaves} (32
   * bytes each); avoids one array per leaf for big trees.
   */
  public static HashTree ofConcatenated(byte[] leaves, int count) {
    checkLeafCount(count);
    if (leaves.length != count * H) {
      throw new IllegalArgumentException("expected " + count * H + " bytes of leaves");
    }
    int p = paddedLeaves(count);
    byte[] nodes = new byte[(2 * p - 1) * H];
    int first = p - 1;
    System.arraycopy(leaves, 0, nodes, first * H, count * H);
    for (int j = count; j < p; j++) {
      System.arraycopy(emptyLeafHash(j), 0, nodes, (first + j) * H, H);
    }
    PairHasher hasher = new PairHasher();
    for (int i = first - 1; i >= 0; i--) {
      hasher.hash(nodes, (2 * i + 1) * H, nodes, (2 * i + 2) * H, nodes, i * H);
    }
    return new HashTree(count, p, nodes);
  }

  private static void checkLeafCount(int count) {
    if (count < 0 || count > MAX_LEAVES) {
      throw new IllegalArgumentException("leaf count out of range: " + count);
    }
  }

  // ---- shape (static, shared with IncompleteHashTree and the format code) ----

  /** P: the smallest power of two ≥ the leaf count, and 1 for 0 or 1 leaves. */
  public static int paddedLeaves(int leafCount) {
    checkLeafCount(leafCount);
    return leafCount <= 1 ? 1 : Integer.highestOneBit(leafCount - 1) << 1;
  }

  /** 2P−1: the number of nodes of a tree over {@code leafCount} leaves. */
  public static int nodeCount(int leafCount) {
    return 2 * paddedLeaves(leafCount) - 1;
  }

  /** Serialized size of a full tree: (2P−1)·32 bytes. */
  public static long treeBytes(int leafCount) {
    return (long) nodeCount(leafCount) * H;
  }

  /** Node index of leaf j in a tree over {@code leafCount} leaves. */
  public static int leafNode(int leafCount, int leaf) {
    return paddedLeaves(leafCount) - 1 + leaf;
  }

  /** Parent of a non-root node. */
  public static int parent(int node) {
    if (node <= 0) {
      throw new IllegalArgumentException("the root has no parent");
    }
    return (node - 1) / 2;
  }

  /** Sibling of a non-root node. */
  public static int sibling(int node) {
    if (node <= 0) {
      throw new IllegalArgumentException("the root has no sibling");
    }
    return (node & 1) == 1 ? node + 1 : node - 1;
  }

  /** Depth of a node: 0 for the root. */
  public static int depth(int node) {
    return 31 - Integer.numberOfLeadingZeros(node + 1);
  }

  /** {@code needed_for}: the siblings on the way from {@code node} up to the root, bottom-up. */
  public static int[] siblingsToRoot(int node) {
    int[] out = new int[depth(node)];
    int n = 0;
    for (int here = node; here != 0; here = parent(here)) {
      out[n++] = sibling(here);
    }
    return out;
  }

  /**
   * The node numbers of an immutable (CHK) share-hash chain for {@code leaf}, in the order Tahoe
   * writes them: the siblings on the path plus the leaf itself, in CPython {@code set} iteration
   * order (tahoe-formats.md §4.5).
   */
  public static int[] immutableChainNodes(int leafCount, int leaf) {
    checkLeaf(leafCount, leaf);
    int leafNode = leafNode(leafCount, leaf);
    int[] sibs = siblingsToRoot(leafNode);
    int[] insertion = Arrays.copyOf(sibs, sibs.length + 1);
    insertion[sibs.length] = leafNode;
    return CPythonSmallIntSet.iterationOrder(insertion);
  }

  /**
   * The node numbers of a mutable (SDMF/MDMF) share-hash chain for {@code leaf}: the siblings on
   * the path, excluding the leaf, ascending (tahoe-formats.md §7.4).
   */
  public static int[] mutableChainNodes(int leafCount, int leaf) {
    checkLeaf(leafCount, leaf);
    int[] sibs = siblingsToRoot(leafNode(leafCount, leaf));
    Arrays.sort(sibs);
    return sibs;
  }

  private static void checkLeaf(int leafCount, int leaf) {
    if (leaf < 0 || leaf >= paddedLeaves(leafCount)) {
      throw new IllegalArgumentException("leaf " + leaf + " out of range for " + leafCount);
    }
  }

  /**
   * Checks a serialized complete tree read from untrusted storage: the interior nodes whose
   * stored value is not the pair hash of their stored children, ascending. Empty means the tree
   * is internally consistent (its root still has to be compared with a trusted one).
   *
   * @throws IllegalArgumentException unless the length is (2^m·2−1)·32
   */
  public static int[] inconsistentNodes(byte[] serialized) {
    int count = serialized.length / H;
    if (serialized.length % H != 0 || Integer.bitCount(count + 1) != 1) {
      throw new IllegalArgumentException("not a complete tree: " + serialized.length + " bytes");
    }
    PairHasher hasher = new PairHasher();
    byte[] h = new byte[H];
    int[] bad = new int[count];
    int nbad = 0;
    for (int i = 0; 2 * i + 2 < count; i++) {
      hasher.hash(serialized, (2 * i + 1) * H, serialized, (2 * i + 2) * H, h, 0);
      if (!Arrays.equals(h, 0, H, serialized, i * H, (i + 1) * H)) {
        bad[nbad++] = i;
      }
    }
    return Arrays.copyOf(bad, nbad);
  }

  /** {@code H("Merkle tree empty leaf"; decimal(i))}, the padding at leaf position i. */
  public static byte[] emptyLeafHash(int leafPosition) {
    return Hashes.tagged(
        Hashes.TAG_EMPTY_LEAF, Integer.toString(leafPosition).getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code H2("Merkle tree internal node"; left, right)}. */
  public static byte[] pairHash(byte[] left, byte[] right) {
    if (left.length != H || right.length != H) {
      throw new IllegalArgumentException("pair hash needs two 32-byte hashes");
    }
    byte[] out = new byte[H];
    new PairHasher().hash(left, 0, right, 0, out, 0);
    return out;
  }

  // ---- accessors ----

  /** L: the number of real leaves. */
  public int leafCount() {
    return leafCount;
  }

  /** P: the number of leaves including padding. */
  public int paddedLeafCount() {
    return paddedLeaves;
  }

  /** 2P−1. */
  public int nodeCount() {
    return 2 * paddedLeaves - 1;
  }

  /** Node i (copy). */
  public byte[] node(int i) {
    if (i < 0 || i >= nodeCount()) {
      throw new IndexOutOfBoundsException("node " + i);
    }
    return Arrays.copyOfRange(nodes, i * H, (i + 1) * H);
  }

  /** The root, node 0 (copy). */
  public byte[] root() {
    return node(0);
  }

  /** Leaf j, counting padding leaves (copy). */
  public byte[] leaf(int j) {
    checkLeaf(leafCount, j);
    return node(paddedLeaves - 1 + j);
  }

  /** The serialized tree: all nodes in index order, 32 bytes each. */
  public byte[] toBytes() {
    return nodes.clone();
  }

  /** A read-only view of the serialized tree. */
  public ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(nodes).asReadOnlyBuffer();
  }

  /**
   * Serializes a chain as Tahoe stores it: {@code u16 node ‖ hash32} per entry, in the given
   * order.
   */
  public byte[] chainBytes(int[] chainNodes) {
    ByteBuffer out = ByteBuffer.allocate(chainNodes.length * (2 + H));
    for (int n : chainNodes) {
      if (n < 0 || n >= nodeCount() || n > 0xffff) {
        throw new IllegalArgumentException("node " + n + " not in tree");
      }
      out.putShort((short) n);
      out.put(nodes, n * H, H);
    }
    return out.array();
  }

  /** Reusable computation of Tahoe's interior-node hash without per-call netstring arrays. */
  static final class PairHasher {
    private static final byte[] PREFIX = Hashes.netstring(Hashes.TAG_INTERNAL_NODE);
    private static final byte[] LEN = "32:".getBytes(StandardCharsets.US_ASCII);
    private final MessageDigest md = Hashes.sha256();
    private final byte[] inner = new byte[H];

    void hash(byte[] l, int lo, byte[] r, int ro, byte[] out, int oo) {
      md.update(PREFIX);
      md.update(LEN);
      md.update(l, lo, H);
      md.update((byte) ',');
      md.update(LEN);
      md.update(r, ro, H);
      md.update((byte) ',');
      try {
        md.digest(inner, 0, H);
        md.update(inner);
        md.digest(out, oo, H);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
