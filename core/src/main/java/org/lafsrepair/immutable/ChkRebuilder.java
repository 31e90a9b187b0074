package org.lafsrepair.immutable;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.lafsrepair.cap.ChkVerifyCap;
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
 * <p>Per segment it reads k blocks, decodes the missing primary blocks, checks the segment
 * against the crypttext hash tree, and encodes only the wanted rows (plus, rarely, a row whose
 * block-tree root is needed for a wanted share's chain and is not in any opened source's chain);
 * with {@link SegmentCheck#AT_END} it decodes straight into those rows instead. Block trees are
 * recomputed for the new shares and must link to the share root in the UEB before any metadata
 * is written; the crypttext tree and the UEB are copied from a verified source. Segments may be
 * worked on in parallel lanes, each taking runs of segments (about 1 MiB of source blocks per
 * run). Memory is O(segment size × (k + rows) × lanes × run), a few MiB for Tahoe's segments.
 *
 * <p>Usage: {@link #prepare} (reads and checks k sources' metadata; gives the share length to
 * allocate), then {@link Prepared#rebuild} once. A {@link Prepared} is for one thread.
 */
public final class ChkRebuilder {
  private ChkRebuilder() {}

  /**
   * Opens the sources: candidates' metadata is read and checked, in order, until k distinct usable
   * shares are open. The rebuild opens more only when their share-hash chains spare it from
   * encoding a row it does not write (whose block-tree root a new share's chain needs).
   *
   * @throws NotEnoughSharesException if fewer than k distinct sources are usable
   */
  public static Prepared prepare(ChkVerifyCap cap, List<ShareCandidate> sources)
      throws NotEnoughSharesException {
    Objects.requireNonNull(cap, "cap");
    SegmentFetcher f = new SegmentFetcher(
        cap.uebHash().toByteArray(), cap.k(), cap.n(), cap.size(), List.copyOf(sources));
    f.start();
    return new Prepared(f);
  }

  /** Both steps at once, on the calling thread. */
  public static void rebuild(
      ChkVerifyCap cap, List<ShareCandidate> sources, Map<ShareNumber, ShareSink> wanted)
      throws NotEnoughSharesException, CorruptFileException, StorageException {
    prepare(cap, sources).rebuild(wanted);
  }

  /** How the decoded data is checked while rebuilding. */
  public enum SegmentCheck {
    /**
     * Every decoded segment is checked against the file's crypttext hash tree before it is
     * encoded; a bad source is found at once, dropped, and a spare takes its place.
     */
    EVERY_SEGMENT,
    /**
     * For sources the caller verified moments ago: each segment's k blocks are decoded straight
     * into the rows to write, in one codec pass (no primaries, no crypttext hashing: one hash pass
     * fewer over the file and half the codec's doublings), and the result is checked at the end, where
     * every rebuilt share's block-tree root must link to the file's share root, as always. If a
     * source changed since its verification, the rebuild fails with {@link
     * SourcesChangedException} and must be redone, with fresh sinks, in {@link #EVERY_SEGMENT}.
     */
    AT_END
  }

  /** Sources opened and checked; ready to write new shares. */
  public static final class Prepared {
    private final SegmentFetcher fetcher;

    /** Per rebuilt share, what was written; filled once the share tree accepted them. */
    private final Map<ShareNumber, WrittenBlocks> written = new HashMap<>();
    /** Failures found by the extra lanes of a parallel rebuild. */
    private final List<ShareFailure> extraFailures = new ArrayList<>();
    private boolean used;

    private Prepared(SegmentFetcher fetcher) {
      this.fetcher = fetcher;
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

    /** Share numbers with a usable source among those opened so far. */
    public TreeSet<ShareNumber> usableShares() {
      TreeSet<ShareNumber> s = new TreeSet<>();
      for (ShareMetadata m : fetcher.opened()) {
        s.add(ShareNumber.of(m.shnum));
      }
      return s;
    }

    /** Sources found unusable so far (while preparing or rebuilding). */
    public List<ShareFailure> failures() {
      // Lanes find the same bad share independently: report each source once.
      Map<ShareCandidate, ShareFailure> byCandidate = new LinkedHashMap<>();
      for (ShareFailure f : fetcher.failures()) {
        byCandidate.putIfAbsent(f.candidate(), f);
      }
      for (ShareFailure f : extraFailures) {
        byCandidate.putIfAbsent(f.candidate(), f);
      }
      return List.copyOf(byCandidate.values());
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
      rebuild(wanted, Runnable::run, 1);
    }

    /** As {@link #rebuild(Map, Executor, int)}, checking every segment. */
    public void rebuild(Map<ShareNumber, ShareSink> wanted, Executor executor, int parallelism)
        throws NotEnoughSharesException, CorruptFileException, StorageException {
      try {
        rebuild(wanted, executor, parallelism, SegmentCheck.EVERY_SEGMENT);
      } catch (SourcesChangedException e) {
        throw new IllegalStateException("only AT_END reports changed sources", e);
      }
    }

    /**
     * As {@link #rebuild(Map)}, with {@code parallelism} threads at work: the calling thread,
     * which also does all the writing in segment order, and up to {@code parallelism - 1} tasks
     * on {@code executor}. The decoded data is checked as {@code check} says. Same bytes; memory
     * grows to O(segment size × (k + rows) × (parallelism + 1) × run), where a run holds about 1
     * MiB of source blocks (at least one segment).
     *
     * @throws SourcesChangedException only with {@link SegmentCheck#AT_END}: see there
     */
    public void rebuild(Map<ShareNumber, ShareSink> wanted, Executor executor, int parallelism,
        SegmentCheck check)
        throws NotEnoughSharesException, CorruptFileException, SourcesChangedException, StorageException {
      Objects.requireNonNull(executor, "executor");
      Objects.requireNonNull(check, "check");
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
      }
      if (used) {
        throw new IllegalStateException("rebuild already ran");
      }
      used = true;
      ChkGeometry g = geometry();
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
      // Rows outside the wanted ones cost a full encode and hash pass each; another source's
      // metadata (a few small reads) may hold the chain hashes that spare it.
      IncompleteHashTree shareTree;
      TreeSet<Integer> rows;
      TreeSet<Integer> padding;
      int firstLeaf = HashTree.paddedLeaves(n) - 1;
      do {
        shareTree = knownShareTree(g);
        rows = new TreeSet<>(sinks.keySet());
        padding = new TreeSet<>();
        for (int w : sinks.keySet()) {
          for (int node : HashTree.immutableChainNodes(n, w)) {
            ensureKnown(shareTree, node, firstLeaf, n, rows, padding);
          }
        }
      } while (rows.size() > sinks.size() && fetcher.openNext());
      Encoded encoded = encodeRows(g, rows, sinks, executor, parallelism, check == SegmentCheck.AT_END);
      byte[][] leaves = encoded.leaves();

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
        if (check == SegmentCheck.AT_END) {
          throw new SourcesChangedException("rebuilt shares do not match the file's share hash tree"
              + " (a source changed since it was verified?): " + e.getMessage());
        }
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
      for (int r : sinks.keySet()) {
        written.put(ShareNumber.of(r), new WrittenBlocks(ShareNumber.of(r), leaves[r], encoded.crcs()[r]));
      }
    }

    /**
     * What {@link #rebuild} wrote into share {@code shnum}, for a cheap read-back with {@link
     * ChkVerifier#verifyWritten}; empty unless the rebuild completed and wrote that share.
     */
    public java.util.Optional<WrittenBlocks> written(ShareNumber shnum) {
      return java.util.Optional.ofNullable(written.get(shnum));
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
      for (ShareMetadata m : fetcher.opened()) {
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

    /**
     * Streams the segments, writes wanted blocks, and returns each row's block hashes and each
     * written row's block CRCs. With parallelism above 1, {@link RebuildLanes} spreads runs of
     * segments over this thread and {@code parallelism - 1} pool tasks; this thread writes every
     * block, in segment order (sinks need not be thread-safe).
     */
    private Encoded encodeRows(ChkGeometry g, TreeSet<Integer> rows,
        TreeMap<Integer, ShareSink> sinks, Executor executor, int parallelism, boolean direct)
        throws NotEnoughSharesException, CorruptFileException, StorageException {
      int n = g.n();
      int segs = g.numSegments();
      byte[][] leaves = new byte[n][];
      for (int r : rows) {
        leaves[r] = new byte[segs * Hashes.HASH_LENGTH];
      }
      int[] checkRows = rows.stream().filter(r -> r >= g.k()).mapToInt(Integer::intValue).toArray();
      long dataOffset = ShareLayout.forUpload(g).dataOffset();
      int threads = Math.max(1, Math.min(segs, parallelism));
      // One lane more than threads, so a finished run can wait to be written while every thread
      // computes.
      int laneCount = threads == 1 ? 1 : threads + 1;
      int run = threads == 1 ? 1 : RebuildLanes.runLength(g, laneCount);
      int[][] crcs = new int[n][];
      for (int r : sinks.keySet()) {
        crcs[r] = new int[segs];
      }
      List<RebuildLanes.Lane> lanes = new ArrayList<>();
      lanes.add(new RebuildLanes.Lane(fetcher, g, rows, checkRows, leaves, crcs, direct, run));
      for (int i = 1; i < laneCount; i++) {
        lanes.add(new RebuildLanes.Lane(fetcher.lane(), g, rows, checkRows, leaves, crcs, direct, run));
      }
      try {
        new RebuildLanes(g, run, lanes, sinks, dataOffset).run(executor, threads - 1);
      } finally {
        for (RebuildLanes.Lane l : lanes.subList(1, lanes.size())) {
          extraFailures.addAll(l.fetcher.failures());
        }
      }
      return new Encoded(leaves, crcs);
    }

    /** Per row (by share number): block hashes of every computed row, CRC-32Cs of written ones. */
    private record Encoded(byte[][] leaves, int[][] crcs) {}

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
