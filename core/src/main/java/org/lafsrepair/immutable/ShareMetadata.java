package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.hashtree.HashTree;
import org.lafsrepair.internal.hashtree.HashTreeException;
import org.lafsrepair.internal.hashtree.IncompleteHashTree;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageServer;

/**
 * Reads and checks everything of one immutable share except its blocks and the plaintext-tree
 * zeros: header, UEB (hash against the cap, fields against k/N/size), share length, share-hash
 * chain (against the UEB's share root), block hash tree (consistent, and its root equal to this
 * share's leaf in the share tree, the check Tahoe skips) and crypttext hash tree (against the
 * UEB's root). Every problem found is recorded; reading stops only when nothing further can be
 * located. Used by the verifier (which then checks the rest) and by readers (which refuse any
 * problem).
 */
final class ShareMetadata {
  private static final int H = Hashes.HASH_LENGTH;
  /**
   * Largest stored tree held in memory: 2^23 segments (1 TiB at 128 KiB segments, 8 TiB at 1 MiB).
   * Larger files are reported incompatible rather than risking the heap.
   */
  static final long MAX_TREE_BYTES = 1L << 28;
  /** Largest metadata tail fetched in one request (three trees of 16K segments fit). */
  private static final long PREFETCH_LIMIT = 4L << 20;
  /** Bytes read at the start of every share; a share no longer than this is read in one go. */
  static final int HEAD_PREFETCH = 64 << 10;
  private boolean wholeSharePrefetched;

  final int shnum;
  ShareSource source;
  final List<ShareProblem> problems = new ArrayList<>();
  String incompatible;
  /** Whether enough was located to go on to the blocks. */
  boolean located;

  ShareLayout stored;
  ShareLayout layout;
  ChkGeometry geometry;
  UriExtension ueb;
  long expectedLength;
  boolean truncated;

  /** Stored block tree (2P−1 nodes), and whether it is fully consistent with the trusted root. */
  byte[] blockTree;
  boolean blockTreeValid;
  /** This share's leaf of the share tree, once the chain validated. */
  byte[] trustedBlockRoot;
  /** The share tree with this share's chain, once validated. */
  IncompleteHashTree shareTree;
  Map<Integer, byte[]> chain;
  byte[] crypttextTree;
  boolean crypttextTreeValid;

  private ShareMetadata(int shnum, ShareSource source) {
    this.shnum = shnum;
    this.source = source;
  }

  boolean ok() {
    return incompatible == null && located && problems.isEmpty();
  }

  /** Reads and checks the metadata of share {@code shnum} of the file described by the cap. */
  static ShareMetadata read(byte[] uebHash, int k, int n, long size, int shnum, ShareSource src)
      throws StorageException {
    ShareMetadata m = new ShareMetadata(shnum, src);
    m.readAll(uebHash, k, n, size);
    return m;
  }

  private void readAll(byte[] uebHash, int k, int n, long size) throws StorageException {
    if (shnum < 0 || shnum >= n) {
      problem(ShareRegion.SHARE_HASH_CHAIN, "share number " + shnum + " is not below N=" + n);
      return;
    }
    // One read serves a small share whole (header, blocks, trees, UEB, end): a request per region
    // costs more than the bytes for small files. For large ones it is a few blocks read twice.
    PrefetchedSource head = PrefetchedSource.of(source, 0, HEAD_PREFETCH);
    source = head;
    wholeSharePrefetched = head.hitEnd();
    ByteBuffer header = source.read(0, ShareLayout.MAX_HEADER_SIZE);
    try {
      stored = ShareLayout.parse(header);
    } catch (ShareFormatException e) {
      if (e.isIncompatible()) {
        incompatible = e.getMessage();
      } else {
        truncated = true;
        problem(e.region(), e.getMessage());
      }
      return;
    }
    // The UEB, located by the stored (untrusted) offset. No real share of this file can have it
    // beyond the file size plus its trees; refuse absurd offsets before reading there.
    if (stored.uriExtensionOffset() > size + (1L << 31)) {
      problem(ShareRegion.HEADER, "UEB offset " + stored.uriExtensionOffset()
          + " is impossible for a file of " + size + " bytes");
      return;
    }
    prefetchTail();
    byte[] lenField = readExact(stored.uriExtensionOffset(), stored.uebLengthFieldSize(),
        ShareRegion.URI_EXTENSION, "UEB length");
    if (lenField == null) {
      return;
    }
    long uebLen = stored.version() == 1
        ? Integer.toUnsignedLong(ByteBuffer.wrap(lenField).getInt())
        : ByteBuffer.wrap(lenField).getLong();
    if (uebLen < 0 || uebLen > UriExtension.MAX_LENGTH) {
      problem(ShareRegion.URI_EXTENSION, "UEB length " + Long.toUnsignedString(uebLen)
          + " is 2000 or more");
      return;
    }
    byte[] uebBytes = readExact(stored.uebOffset(), (int) uebLen, ShareRegion.URI_EXTENSION, "UEB");
    if (uebBytes == null) {
      return;
    }
    if (!MessageDigest.isEqual(Hashes.tagged(Hashes.TAG_UEB, uebBytes), uebHash)) {
      problem(ShareRegion.URI_EXTENSION, "UEB hash does not match the cap");
      return;
    }
    try {
      ueb = UriExtension.parse(uebBytes);
      geometry = ueb.checkedGeometry(k, n, size);
    } catch (ShareFormatException e) {
      problem(ShareRegion.URI_EXTENSION, e.getMessage());
      return;
    }
    try {
      layout = ShareLayout.expected(stored.version(), geometry);
    } catch (IllegalArgumentException e) {
      problem(ShareRegion.HEADER, "layout v1 cannot hold this file: " + e.getMessage());
      return;
    }
    if (!layout.equals(stored)) {
      problem(ShareRegion.HEADER, "header " + stored + " differs from the expected " + layout);
    }
    expectedLength = layout.totalLength(ueb.length());
    if (HashTree.treeBytes(geometry.numSegments()) > MAX_TREE_BYTES) {
      incompatible = "file has too many segments for this reader: " + geometry.numSegments();
      return;
    }
    located = true;
    checkLength();
    readChain();
    readBlockTree();
    readCrypttextTree();
  }

  /**
   * Everything after the blocks (trees, chain, UEB and one byte past the longest possible end) is
   * read in one request when it is small, instead of one request per region.
   */
  private void prefetchTail() throws StorageException {
    if (wholeSharePrefetched) {
      return;
    }
    long from = stored.plaintextTreeOffset();
    long to = stored.uebOffset() + UriExtension.MAX_LENGTH + 1;
    if (from >= 0 && from <= stored.uriExtensionOffset() && to - from <= PREFETCH_LIMIT) {
      source = PrefetchedSource.of(source, from, (int) (to - from));
    }
  }

  private void checkLength() throws StorageException {
    if (source.read(expectedLength - 1, 1).remaining() == 0) {
      truncated = true;
      problem(ShareRegion.LENGTH, "share data is shorter than " + expectedLength + " bytes");
    } else if (source.read(expectedLength, 1).remaining() != 0) {
      problem(ShareRegion.LENGTH, "share data continues past its end at " + expectedLength);
    }
  }

  private void readChain() throws StorageException {
    int n = geometry.n();
    int entries = geometry.chainLength();
    byte[] raw = readExact(layout.shareHashesOffset(), entries * 34,
        ShareRegion.SHARE_HASH_CHAIN, "share hash chain");
    if (raw == null) {
      return;
    }
    TreeSet<Integer> expectedNodes = new TreeSet<>();
    for (int node : HashTree.immutableChainNodes(n, shnum)) {
      expectedNodes.add(node);
    }
    Map<Integer, byte[]> entriesByNode = new HashMap<>();
    ByteBuffer b = ByteBuffer.wrap(raw);
    for (int i = 0; i < entries; i++) {
      int node = Short.toUnsignedInt(b.getShort());
      byte[] h = new byte[H];
      b.get(h);
      if (!expectedNodes.contains(node) || entriesByNode.put(node, h) != null) {
        problem(ShareRegion.SHARE_HASH_CHAIN,
            "entry " + i + " names node " + node + ", not one of " + expectedNodes);
        return;
      }
    }
    byte[] root;
    try {
      root = ueb.shareRootHash();
    } catch (ShareFormatException e) {
      throw new IllegalStateException("UEB was checked", e);
    }
    IncompleteHashTree t = new IncompleteHashTree(n, root);
    try {
      t.addHashes(entriesByNode);
    } catch (HashTreeException e) {
      problem(ShareRegion.SHARE_HASH_CHAIN, "chain does not link to the share root: "
          + e.getMessage());
      return;
    }
    shareTree = t;
    chain = entriesByNode;
    trustedBlockRoot = t.leaf(shnum);
  }

  private void readBlockTree() throws StorageException {
    long len = layout.shareHashesOffset() - layout.blockHashesOffset();
    blockTree = readExact(layout.blockHashesOffset(), (int) len,
        ShareRegion.BLOCK_HASH_TREE, "block hash tree");
    if (blockTree == null) {
      return;
    }
    List<Integer> bad = inconsistentNodes(blockTree);
    if (!bad.isEmpty()) {
      problem(ShareRegion.BLOCK_HASH_TREE, "nodes " + bad + " do not hash from their children");
    }
    boolean rootOk = trustedBlockRoot != null
        && MessageDigest.isEqual(Arrays.copyOf(blockTree, H), trustedBlockRoot);
    if (trustedBlockRoot != null && !rootOk) {
      problem(ShareRegion.BLOCK_HASH_TREE,
          "root differs from this share's leaf in the share hash tree");
    }
    blockTreeValid = bad.isEmpty() && rootOk;
  }

  private void readCrypttextTree() throws StorageException {
    long len = layout.blockHashesOffset() - layout.crypttextTreeOffset();
    crypttextTree = readExact(layout.crypttextTreeOffset(), (int) len,
        ShareRegion.CRYPTTEXT_HASH_TREE, "crypttext hash tree");
    if (crypttextTree == null) {
      return;
    }
    List<Integer> bad = inconsistentNodes(crypttextTree);
    if (!bad.isEmpty()) {
      problem(ShareRegion.CRYPTTEXT_HASH_TREE,
          "nodes " + bad + " do not hash from their children");
    }
    byte[] root;
    try {
      root = ueb.crypttextRootHash();
    } catch (ShareFormatException e) {
      throw new IllegalStateException("UEB was checked", e);
    }
    boolean rootOk = MessageDigest.isEqual(Arrays.copyOf(crypttextTree, H), root);
    if (!rootOk) {
      problem(ShareRegion.CRYPTTEXT_HASH_TREE, "root differs from the UEB's crypttext_root_hash");
    }
    crypttextTreeValid = bad.isEmpty() && rootOk;
  }

  static List<Integer> inconsistentNodes(byte[] tree) {
    List<Integer> bad = new ArrayList<>();
    for (int i : HashTree.inconsistentNodes(tree)) {
      bad.add(i);
    }
    return bad;
  }

  /** Stored leaf hash of segment s in the block tree. */
  boolean blockLeafEquals(int s, byte[] hash, int off) {
    int p = HashTree.paddedLeaves(geometry.numSegments());
    int at = (p - 1 + s) * H;
    return Arrays.equals(blockTree, at, at + H, hash, off, off + H);
  }

  /** Stored crypttext leaf of segment s. */
  boolean crypttextLeafEquals(int s, byte[] hash) {
    int p = HashTree.paddedLeaves(geometry.numSegments());
    int at = (p - 1 + s) * H;
    return Arrays.equals(crypttextTree, at, at + H, hash, 0, H);
  }

  private byte[] readExact(long offset, int length, ShareRegion region, String what)
      throws StorageException {
    byte[] out = new byte[length];
    int got = 0;
    while (got < length) {
      int chunk = Math.min(length - got, StorageServer.MAX_READ_LENGTH);
      ByteBuffer b = source.read(offset + got, chunk);
      int r = Math.min(b.remaining(), chunk);
      b.get(out, got, r);
      got += r;
      if (r < chunk) {
        truncated = true;
        problem(region, what + " is truncated (" + got + " of " + length + " bytes at "
            + offset + ")");
        return null;
      }
    }
    return out;
  }

  private void problem(ShareRegion region, String detail) {
    problems.add(ShareProblem.of(region, detail));
  }

  /** All problems, and the incompatibility if any, as one line for logs and exceptions. */
  String describe() {
    if (incompatible != null) {
      return "incompatible: " + incompatible;
    }
    return problems.toString();
  }
}
