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
 * Every block is hashed as it is made, but only the blocks of the share numbers asked for are
 * kept: memory is (kept shares)/k times the file, plus 32 bytes per block. Not thread-safe.
 */
final class VersionEncoder {
  private final MutableFormat format;
  private final int k;
  private final int n;
  private final int segments;
  private final ErasureCodec codec;
  private final int[] all;
  private final List<List<SaltedBlock>> blocks = new ArrayList<>();
  private final byte[][] leaves;
  private final boolean[] keep;
  private int added;
  private HashTree shareTree;
  private List<HashTree> blockTrees;

  /** Keeps every share's blocks. */
  VersionEncoder(MutableFormat format, int k, int n, int segments) {
    this(format, k, n, segments, null);
  }

  /** Keeps the blocks of {@code keep} only (null: all); the others are hashed and dropped. */
  VersionEncoder(MutableFormat format, int k, int n, int segments, java.util.Set<Integer> keep) {
    this.format = format;
    this.k = k;
    this.n = n;
    this.segments = segments;
    this.codec = ErasureCodec.of(k, n);
    this.all = new int[n];
    this.leaves = new byte[n][segments * 32];
    this.keep = new boolean[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
      this.keep[i] = keep == null || keep.contains(i);
      blocks.add(new ArrayList<>(this.keep[i] ? segments : 0));
    }
  }

  /** Encodes the next segment's k primary blocks (equal length) into N blocks. */
  void addSegment(byte[][] primary, byte[] salt) {
    if (added == segments) {
      throw new IllegalStateException("all " + segments + " segments already added");
    }
    byte[][] out = codec.encode(primary, all);
    for (int sh = 0; sh < n; sh++) {
      SaltedBlock b = SaltedBlock.owning(salt.clone(), out[sh]);
      System.arraycopy(ShareChecker.leafHash(format, b), 0, leaves[sh], added * 32, 32);
      if (keep[sh]) {
        blocks.get(sh).add(b);
      }
    }
    added++;
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
    if (added != segments) {
      throw new IllegalStateException(added + " of " + segments + " segments added");
    }
    blockTrees = new ArrayList<>(n);
    List<byte[]> roots = new ArrayList<>(n);
    for (int sh = 0; sh < n; sh++) {
      HashTree t = HashTree.ofConcatenated(leaves[sh], segments);
      blockTrees.add(t);
      roots.add(t.root());
    }
    shareTree = HashTree.of(roots);
  }

  /** Share {@code shnum}'s complete bytes under the given signed prefix and common fields. */
  byte[] share(int shnum, SignedPrefix prefix, byte[] verificationKey, byte[] signature,
      byte[] encPrivkey) {
    if (!keep[shnum]) {
      throw new IllegalStateException("share " + shnum + " was not kept");
    }
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
