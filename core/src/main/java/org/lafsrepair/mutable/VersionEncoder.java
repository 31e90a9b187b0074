package org.lafsrepair.mutable;

import org.lafsrepair.cap.MutableFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.internal.hashtree.HashTree;

/**
 * Turns a version's segments (k primary blocks each, and a salt) into all N shares exactly as
 * Tahoe's publisher lays them out: blocks by zfec, block trees over H(salt ‖ block) or H(block),
 * the share tree over the N block-tree roots, sorted sibling chains. Used to publish (new
 * version, then signed) and to repair (existing version: the root must come out as signed).
 * Holds every block in memory (N/k times the file). Not thread-safe.
 */
final class VersionEncoder {
  private final MutableFormat format;
  private final int k;
  private final int n;
  private final int segments;
  private final ErasureCodec codec;
  private final int[] all;
  private final List<List<SaltedBlock>> blocks = new ArrayList<>();
  private HashTree shareTree;
  private List<HashTree> blockTrees;

  VersionEncoder(MutableFormat format, int k, int n, int segments) {
    this.format = format;
    this.k = k;
    this.n = n;
    this.segments = segments;
    this.codec = ErasureCodec.of(k, n);
    this.all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
      blocks.add(new ArrayList<>(segments));
    }
  }

  /** Encodes the next segment's k primary blocks (equal length) into N blocks. */
  void addSegment(byte[][] primary, byte[] salt) {
    if (blocks.get(0).size() == segments) {
      throw new IllegalStateException("all " + segments + " segments already added");
    }
    byte[][] out = codec.encode(primary, all);
    for (int sh = 0; sh < n; sh++) {
      blocks.get(sh).add(SaltedBlock.owning(salt.clone(), out[sh]));
    }
  }

  /** The root of the share tree over all N block-tree roots (what the prefix must carry). */
  byte[] shareTreeRoot() {
    finish();
    return shareTree.root();
  }

  private void finish() {
    if (shareTree != null) {
      return;
    }
    if (blocks.get(0).size() != segments) {
      throw new IllegalStateException(blocks.get(0).size() + " of " + segments + " segments added");
    }
    blockTrees = new ArrayList<>(n);
    List<byte[]> roots = new ArrayList<>(n);
    for (int sh = 0; sh < n; sh++) {
      byte[] leaves = new byte[segments * 32];
      for (int i = 0; i < segments; i++) {
        System.arraycopy(ShareChecker.leafHash(format, blocks.get(sh).get(i)), 0, leaves, i * 32, 32);
      }
      HashTree t = HashTree.ofConcatenated(leaves, segments);
      blockTrees.add(t);
      roots.add(t.root());
    }
    shareTree = HashTree.of(roots);
  }

  /** Share {@code shnum}'s complete bytes under the given signed prefix and common fields. */
  byte[] share(int shnum, SignedPrefix prefix, byte[] verificationKey, byte[] signature,
      byte[] encPrivkey) {
    finish();
    Map<Integer, byte[]> chain = new TreeMap<>();
    for (int node : HashTree.mutableChainNodes(n, shnum)) {
      chain.put(node, shareTree.node(node));
    }
    HashTree t = blockTrees.get(shnum);
    List<byte[]> tree = new ArrayList<>(t.nodeCount());
    for (int i = 0; i < t.nodeCount(); i++) {
      tree.add(t.node(i));
    }
    return MutableShare.of(prefix, verificationKey, signature, chain, tree, encPrivkey)
        .toBytes(blocks.get(shnum));
  }

  int k() {
    return k;
  }
}
