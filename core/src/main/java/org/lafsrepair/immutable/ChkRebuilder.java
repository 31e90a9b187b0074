package org.lafsrepair.immutable;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32C;
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
 * <p>Per segment it reads k blocks, decodes the missing primary blocks, checks the segment
 * against the crypttext hash tree, and encodes only the wanted rows (plus, rarely, a row whose
 * block-tree root is needed for a wanted share's chain and is not in any opened source's chain);
 * with {@link SegmentCheck#AT_END} it decodes straight into those rows instead. Block trees are
 * recomputed for the new shares and must link to the share root in the UEB before any metadata
 * is written; the crypttext tree and the UEB are copied from a verified source. Segments may be
 * worked on in parallel lanes. Memory is O(segment size × (k + rows) × lanes).
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
     * As {@link #rebuild(Map)}, with up to {@code parallelism} segments in work at once on {@code
     * executor} (the calling thread takes part and does all the writing, in segment order), and
     * the decoded data checked as {@code check} says. Same bytes; memory grows to O(segment size
     * × (k + rows) × (parallelism + 1)).
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
     * written row's block CRCs. With more
     * than one lane, segments are fetched, decoded, encoded and hashed on the executor while this
     * thread writes finished segments to the sinks in segment order (sinks need not be
     * thread-safe); this thread also runs any lane task the executor has not started, so a busy
     * or single-threaded executor slows the rebuild down but cannot deadlock it.
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
      // One more lane than workers, so a segment is being computed while another is written.
      int laneCount = parallelism <= 1 ? 1 : Math.min(segs, parallelism + 1);
      int[][] crcs = new int[n][];
      for (int r : sinks.keySet()) {
        crcs[r] = new int[segs];
      }
      List<Lane> lanes = new ArrayList<>();
      lanes.add(new Lane(fetcher, g, rows, checkRows, leaves, crcs, direct));
      for (int i = 1; i < laneCount; i++) {
        lanes.add(new Lane(fetcher.lane(), g, rows, checkRows, leaves, crcs, direct));
      }
      try {
        if (laneCount == 1) {
          Lane only = lanes.get(0);
          for (int s = 0; s < segs; s++) {
            only.compute(s);
            only.write(sinks, dataOffset);
          }
        } else {
          pipeline(lanes, segs, sinks, dataOffset, executor);
        }
      } finally {
        for (Lane l : lanes.subList(1, lanes.size())) {
          extraFailures.addAll(l.fetcher.failures());
        }
      }
      return new Encoded(leaves, crcs);
    }

    /** Per row (by share number): block hashes of every computed row, CRC-32Cs of written ones. */
    private record Encoded(byte[][] leaves, int[][] crcs) {}

    private void pipeline(List<Lane> lanes, int segs, TreeMap<Integer, ShareSink> sinks,
        long dataOffset, Executor executor)
        throws NotEnoughSharesException, CorruptFileException, StorageException {
      ArrayDeque<Lane> idle = new ArrayDeque<>(lanes);
      ArrayDeque<FutureTask<Lane>> inFlight = new ArrayDeque<>();
      int next = 0;
      try {
        for (int done = 0; done < segs; done++) {
          while (next < segs && !idle.isEmpty()) {
            Lane lane = idle.poll();
            int s = next++;
            FutureTask<Lane> t = new FutureTask<>(() -> {
              lane.compute(s);
              return lane;
            });
            inFlight.add(t);
            try {
              executor.execute(t);
            } catch (RejectedExecutionException e) {
              t.run(); // a saturated or shut-down pool: do the work here
            }
          }
          FutureTask<Lane> head = inFlight.poll();
          head.run(); // no-op if a worker has it; otherwise this thread does it
          Lane lane = join(head);
          lane.write(sinks, dataOffset);
          idle.add(lane);
        }
      } finally {
        // Never interrupt a lane: an interrupted FileChannel read closes the channel for all.
        for (FutureTask<Lane> t : inFlight) {
          t.cancel(false);
        }
        for (FutureTask<Lane> t : inFlight) {
          try {
            t.get();
          } catch (CancellationException | ExecutionException ignored) {
            // already failing; the lane is being discarded
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    }

    private static Lane join(FutureTask<Lane> t)
        throws NotEnoughSharesException, CorruptFileException {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return t.get();
          } catch (InterruptedException e) {
            interrupted = true; // the lane is running this thread's work: wait for it
          }
        }
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof NotEnoughSharesException x) {
          throw x;
        }
        if (c instanceof CorruptFileException x) {
          throw x;
        }
        if (c instanceof RuntimeException x) {
          throw x;
        }
        if (c instanceof Error x) {
          throw x;
        }
        throw new IllegalStateException("rebuild lane failed", c);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** One thread's worth of segment state: a fetcher and the block buffers of every row. */
    private static final class Lane {
      final SegmentFetcher fetcher;
      private final ChkGeometry g;
      private final TreeSet<Integer> rows;
      private final int[] checkRows;
      private final byte[][] leaves;
      private final byte[][] primary;
      private final byte[][] check;
      private final byte[][] rowBlock;
      private final int[] directRows;
      private final byte[][] directOut;
      private final TaggedHasher hasher = new TaggedHasher(Hashes.TAG_BLOCK);
      private final CRC32C crc = new CRC32C();
      private final int[][] crcs;
      private final ErasureCodec codec;
      private int segment = -1;

      Lane(SegmentFetcher fetcher, ChkGeometry g, TreeSet<Integer> rows, int[] checkRows,
          byte[][] leaves, int[][] crcs, boolean direct) {
        this.fetcher = fetcher;
        this.crcs = crcs;
        this.g = g;
        this.rows = rows;
        this.leaves = leaves;
        int bs = g.blockSize();
        this.rowBlock = new byte[g.n()][];
        if (direct) {
          // Every row decoded straight from the sources, in one pass: no primaries needed.
          this.checkRows = new int[0];
          this.primary = null;
          this.check = null;
          this.directRows = rows.stream().mapToInt(Integer::intValue).toArray();
          this.directOut = new byte[directRows.length][bs];
          for (int i = 0; i < directRows.length; i++) {
            rowBlock[directRows[i]] = directOut[i];
          }
        } else {
          this.checkRows = checkRows;
          this.directRows = null;
          this.directOut = null;
          this.primary = new byte[g.k()][bs];
          this.check = new byte[checkRows.length][bs];
          for (int r : rows) {
            rowBlock[r] = r < g.k() ? primary[r] : null;
          }
          for (int i = 0; i < checkRows.length; i++) {
            rowBlock[checkRows[i]] = check[i];
          }
        }
        this.codec = ErasureCodec.of(g.k(), g.n());
      }

      /** Recovers segment s, encodes the wanted check rows and hashes every row's block. */
      void compute(int s) throws NotEnoughSharesException, CorruptFileException {
        segment = -1;
        int blen = g.blockSize(s);
        if (directRows != null) {
          fetcher.fetchRows(s, directRows, directOut);
        } else {
          fetcher.fetch(s, primary);
          if (checkRows.length > 0) {
            codec.encodeInto(primary, 0, blen, checkRows, check, 0);
          }
        }
        for (int r : rows) {
          hasher.hash(rowBlock[r], 0, blen, leaves[r], s * Hashes.HASH_LENGTH);
          if (crcs[r] != null) {
            crc.reset();
            crc.update(rowBlock[r], 0, blen);
            crcs[r][s] = (int) crc.getValue();
          }
        }
        segment = s;
      }

      void write(TreeMap<Integer, ShareSink> sinks, long dataOffset) throws StorageException {
        if (segment < 0) {
          throw new IllegalStateException("no segment computed");
        }
        int blen = g.blockSize(segment);
        long at = dataOffset + (long) segment * g.blockSize();
        for (Map.Entry<Integer, ShareSink> e : sinks.entrySet()) {
          e.getValue().write(at, ByteBuffer.wrap(rowBlock[e.getKey()], 0, blen).asReadOnlyBuffer());
        }
      }
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
