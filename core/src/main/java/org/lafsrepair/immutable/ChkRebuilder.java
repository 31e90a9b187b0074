package org.lafsrepair.immutable;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.hashtree.HashTree;
import org.lafsrepair.internal.hashtree.HashTreeException;
import org.lafsrepair.internal.hashtree.IncompleteHashTree;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;

/**
 * Regenerates missing or bad shares of a CHK file from k good ones, with only the verify cap: the
 * repair primitive. The new shares are byte-identical to what the original uploader wrote (same k,
 * N, segment size and layout), so they verify against the same cap.
 *
 * <p>Per segment it reads k verified blocks, decodes the missing primary blocks, checks the
 * segment against the crypttext hash tree, and encodes only the wanted rows (plus, rarely, a row
 * whose block-tree root is needed for a wanted share's chain and is not in any source's chain).
 * Block trees are recomputed for the new shares and must link to the share root in the UEB before
 * any metadata is written; the crypttext tree and the UEB are copied from a verified source.
 * Memory is O(segment size × (k + wanted rows)).
 *
 * <p>Usage: {@link #prepare} (reads and checks every source's metadata; gives the share length to
 * allocate), then {@link Prepared#rebuild} once. A {@link Prepared} is for one thread.
 */
public final class ChkRebuilder {
  private ChkRebuilder() {}

  /**
   * Opens the sources: every candidate's metadata is read and checked (so all of their share-hash
   * chains can serve the new shares' chains), and k distinct usable shares must exist.
   *
   * @throws NotEnoughSharesException if fewer than k distinct sources are usable
   */
  public static Prepared prepare(ChkVerifyCap cap, List<ShareCandidate> sources)
      throws NotEnoughSharesException {
    Objects.requireNonNull(cap, "cap");
    SegmentFetcher f = new SegmentFetcher(
        cap.uebHash().toByteArray(), cap.k(), cap.n(), cap.size(), List.copyOf(sources));
    List<ShareMetadata> opened = f.openAll();
    return new Prepared(f, opened);
  }

  /** Both steps at once. */
  public static void rebuild(
      ChkVerifyCap cap, List<ShareCandidate> sources, Map<ShareNumber, ShareSink> wanted)
      throws NotEnoughSharesException, CorruptFileException, StorageException {
    prepare(cap, sources).rebuild(wanted);
  }

  /** Sources opened and checked; ready to write new shares. */
  public static final class Prepared {
    private final SegmentFetcher fetcher;
    private final List<ShareMetadata> opened;
    private boolean used;

    private Prepared(SegmentFetcher fetcher, List<ShareMetadata> opened) {
      this.fetcher = fetcher;
      this.opened = opened;
    }

    public ChkGeometry geometry() {
      return fetcher.geometry();
    }

    /** The layout of every rebuilt share (what Tahoe's uploader chooses). */
    public ShareLayout layout() {
      return ShareLayout.forUpload(geometry());
    }

    /** Exact length of each rebuilt share's data: allocate this much. */
    public long shareLength() {
      return layout().totalLength(fetcher.uriExtension().length());
    }

    /** Share numbers with at least one usable source. */
    public TreeSet<ShareNumber> usableShares() {
      TreeSet<ShareNumber> s = new TreeSet<>();
      for (ShareMetadata m : opened) {
        s.add(ShareNumber.of(m.shnum));
      }
      return s;
    }

    /** Sources found unusable so far (while preparing or rebuilding). */
    public List<ShareFailure> failures() {
      return fetcher.failures();
    }

    /**
     * Writes every byte of each wanted share into its sink (blocks first, then the metadata,
     * written only after the new block trees linked to the file's share root). On an exception
     * the sinks hold partial shares: abort them.
     *
     * @throws NotEnoughSharesException if sources fail until fewer than k remain
     * @throws CorruptFileException if the sources decode to data the file's hashes reject
     * @throws StorageException if a sink fails
     */
    public void rebuild(Map<ShareNumber, ShareSink> wanted)
        throws NotEnoughSharesException, CorruptFileException, StorageException {
      if (used) {
        throw new IllegalStateException("rebuild already ran");
      }
      used = true;
      ChkGeometry g = geometry();
      int k = g.k();
      int n = g.n();
      TreeMap<Integer, ShareSink> sinks = new TreeMap<>();
      for (Map.Entry<ShareNumber, ShareSink> e : wanted.entrySet()) {
        if (e.getKey().value() >= n) {
          throw new IllegalArgumentException("share " + e.getKey() + " >= N=" + n);
        }
        sinks.put(e.getKey().value(), Objects.requireNonNull(e.getValue()));
      }
      if (sinks.isEmpty()) {
        return;
      }
      IncompleteHashTree shareTree = knownShareTree(g);
      TreeSet<Integer> rows = new TreeSet<>(sinks.keySet());
      TreeSet<Integer> padding = new TreeSet<>();
      int firstLeaf = HashTree.paddedLeaves(n) - 1;
      for (int w : sinks.keySet()) {
        for (int node : HashTree.immutableChainNodes(n, w)) {
          ensureKnown(shareTree, node, firstLeaf, n, rows, padding);
        }
      }
      byte[][] leaves = encodeRows(g, rows, sinks);

      Map<Integer, byte[]> newLeaves = new HashMap<>();
      Map<Integer, byte[]> blockTrees = new HashMap<>();
      int segs = g.numSegments();
      for (int r : rows) {
        HashTree t = HashTree.ofConcatenated(leaves[r], segs);
        newLeaves.put(r, t.root());
        if (sinks.containsKey(r)) {
          blockTrees.put(r, t.toBytes());
        }
      }
      for (int p : padding) {
        newLeaves.put(p, HashTree.emptyLeafHash(p));
      }
      try {
        shareTree.addHashes(Map.of(), newLeaves);
      } catch (HashTreeException e) {
        throw new CorruptFileException(
            "re-encoded shares do not match the file's share hash tree: " + e.getMessage());
      }
      ShareLayout layout = layout();
      byte[] ctTree = fetcher.crypttextTree();
      UriExtension ueb = fetcher.uriExtension();
      for (Map.Entry<Integer, ShareSink> e : sinks.entrySet()) {
        int w = e.getKey();
        ShareWriter.writeMetadata(
            e.getValue(), layout, ctTree, blockTrees.get(w), chainBytes(shareTree, n, w), ueb);
      }
    }

    /** The share tree with every source's (already validated) chain in it. */
    private IncompleteHashTree knownShareTree(ChkGeometry g) throws CorruptFileException {
      byte[] root;
      try {
        root = fetcher.uriExtension().shareRootHash();
      } catch (ShareFormatException e) {
        throw new IllegalStateException("UEB was checked", e);
      }
      IncompleteHashTree t = new IncompleteHashTree(g.n(), root);
      for (ShareMetadata m : opened) {
        try {
          t.addHashes(m.chain);
        } catch (HashTreeException e) {
          throw new CorruptFileException("share " + m.shnum + "'s validated chain conflicts: " + e);
        }
      }
      return t;
    }

    /** Adds to {@code rows}/{@code padding} the leaves needed to compute {@code node}. */
    private static void ensureKnown(IncompleteHashTree t, int node, int firstLeaf, int n,
        TreeSet<Integer> rows, TreeSet<Integer> padding) {
      if (t.has(node)) {
        return;
      }
      if (node >= firstLeaf) {
        int leaf = node - firstLeaf;
        if (leaf >= n) {
          padding.add(leaf);
        } else {
          rows.add(leaf);
        }
        return;
      }
      ensureKnown(t, 2 * node + 1, firstLeaf, n, rows, padding);
      ensureKnown(t, 2 * node + 2, firstLeaf, n, rows, padding);
    }

    /** Streams the segments, writes wanted blocks, and returns each row's block hashes. */
    private byte[][] encodeRows(ChkGeometry g, TreeSet<Integer> rows,
        TreeMap<Integer, ShareSink> sinks)
        throws NotEnoughSharesException, CorruptFileException, StorageException {
      int k = g.k();
      int n = g.n();
      int bs = g.blockSize();
      int segs = g.numSegments();
      int[] checkRows = rows.stream().filter(r -> r >= k).mapToInt(Integer::intValue).toArray();
      byte[][] primary = new byte[k][bs];
      byte[][] check = new byte[checkRows.length][bs];
      byte[][] rowBlock = new byte[n][];
      for (int r : rows) {
        rowBlock[r] = r < k ? primary[r] : null;
      }
      for (int i = 0; i < checkRows.length; i++) {
        rowBlock[checkRows[i]] = check[i];
      }
      byte[][] leaves = new byte[n][];
      for (int r : rows) {
        leaves[r] = new byte[segs * Hashes.HASH_LENGTH];
      }
      ErasureCodec codec = ErasureCodec.of(k, n);
      TaggedHasher hasher = new TaggedHasher(Hashes.TAG_BLOCK);
      long dataOffset = ShareLayout.forUpload(g).dataOffset();
      for (int s = 0; s < segs; s++) {
        fetcher.fetch(s, primary);
        int blen = g.blockSize(s);
        if (checkRows.length > 0) {
          codec.encodeInto(primary, 0, blen, checkRows, check, 0);
        }
        for (int r : rows) {
          hasher.hash(rowBlock[r], 0, blen, leaves[r], s * Hashes.HASH_LENGTH);
          ShareSink sink = sinks.get(r);
          if (sink != null) {
            sink.write(dataOffset + (long) s * bs,
                ByteBuffer.wrap(rowBlock[r], 0, blen).asReadOnlyBuffer());
          }
        }
      }
      return leaves;
    }

    private static byte[] chainBytes(IncompleteHashTree t, int n, int shnum) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int node : HashTree.immutableChainNodes(n, shnum)) {
        byte[] h = t.get(node);
        if (h == null) {
          throw new IllegalStateException("chain node " + node + " of share " + shnum + " unknown");
        }
        out.write(node >>> 8);
        out.write(node);
        out.writeBytes(h);
      }
      return out.toByteArray();
    }
  }
}
