package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.spi.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers verified segments of a CHK file from candidate shares: keeps k distinct shares whose
 * metadata checked out, reads block s from each, checks every block against its share's validated
 * block tree, decodes the missing primary blocks, and checks the segment's ciphertext against the
 * crypttext hash tree. A share that fails (bad block, short read, server error) is dropped for
 * good and the next candidate takes its place. Not thread-safe: each thread fetching segments
 * works on its own {@link #lane()}.
 */
final class SegmentFetcher {
  private static final Logger log = LoggerFactory.getLogger(SegmentFetcher.class);

  private final byte[] uebHash;
  private final int k;
  private final int n;
  private final long size;
  private final List<ShareCandidate> pending;
  private final List<ShareFailure> failures = new ArrayList<>();
  /** Opened, usable shares not currently in the active set (spares). */
  private final List<ShareMetadata> spares = new ArrayList<>();
  private final List<ShareMetadata> active = new ArrayList<>();
  private final List<ShareCandidate> activeCandidates = new ArrayList<>();
  private final List<ShareCandidate> spareCandidates = new ArrayList<>();

  private ShareMetadata reference;
  private ErasureCodec codec;
  private byte[][] blocks;
  private TaggedHasher blockHasher;
  private TaggedHasher segHasher;

  SegmentFetcher(byte[] uebHash, int k, int n, long size, List<ShareCandidate> candidates) {
    this.uebHash = uebHash.clone();
    this.k = k;
    this.n = n;
    this.size = size;
    // Primary shares first (no decoding needed), otherwise in the caller's order.
    List<ShareCandidate> ordered = new ArrayList<>(candidates);
    ordered.sort(Comparator.comparing(c -> c.shareNumber().value() >= k));
    this.pending = ordered;
  }

  List<ShareFailure> failures() {
    return List.copyOf(failures);
  }

  /**
   * A fetcher for another thread: the same opened and checked shares (their metadata is read-only
   * once checked), but its own active set, buffers, hashers and failure list. A share one lane
   * drops stays usable to the others until they find its fault themselves; every segment is
   * still checked against the crypttext tree whichever lane fetches it.
   */
  SegmentFetcher lane() {
    if (reference == null) {
      throw new IllegalStateException("no share opened yet");
    }
    return new SegmentFetcher(this);
  }

  private SegmentFetcher(SegmentFetcher from) {
    this.uebHash = from.uebHash;
    this.k = from.k;
    this.n = from.n;
    this.size = from.size;
    this.pending = new ArrayList<>(from.pending);
    this.spares.addAll(from.spares);
    this.spareCandidates.addAll(from.spareCandidates);
    this.active.addAll(from.active);
    this.activeCandidates.addAll(from.activeCandidates);
    this.reference = from.reference;
    this.codec = from.codec;
    this.blocks = new byte[k][reference.geometry.blockSize()];
    this.blockHasher = new TaggedHasher(Hashes.TAG_BLOCK);
    this.segHasher = new TaggedHasher(Hashes.TAG_CRYPTTEXT_SEGMENT);
  }

  /** Opens candidates until k distinct usable shares are active. */
  void start() throws NotEnoughSharesException {
    fill();
  }

  /**
   * Opens one more candidate's metadata as a spare (the rebuilder wants more share-hash chains);
   * false when no candidate is left to open.
   */
  boolean openNext() {
    while (!pending.isEmpty()) {
      ShareCandidate c = pending.remove(0);
      ShareMetadata m = open(c);
      if (m != null) {
        spares.add(m);
        spareCandidates.add(c);
        return true;
      }
    }
    return false;
  }

  /** Every share opened and found usable so far (active and spare). */
  List<ShareMetadata> opened() {
    List<ShareMetadata> all = new ArrayList<>(active);
    all.addAll(spares);
    return all;
  }

  ChkGeometry geometry() {
    return reference.geometry;
  }

  UriExtension uriExtension() {
    return reference.ueb;
  }

  ShareLayout layoutOfReference() {
    return reference.layout;
  }

  /** The validated crypttext tree (serialized). */
  byte[] crypttextTree() {
    return reference.crypttextTree.clone();
  }

  private ShareMetadata open(ShareCandidate c) {
    try {
      ShareMetadata m =
          ShareMetadata.read(uebHash, k, n, size, c.shareNumber().value(), c.source());
      if (!m.ok()) {
        fail(c, m.describe());
        return null;
      }
      if (reference == null) {
        reference = m;
        ChkGeometry g = m.geometry;
        codec = ErasureCodec.of(k, n);
        blocks = new byte[k][g.blockSize()];
        blockHasher = new TaggedHasher(Hashes.TAG_BLOCK);
        segHasher = new TaggedHasher(Hashes.TAG_CRYPTTEXT_SEGMENT);
      }
      return m;
    } catch (StorageException | RuntimeException e) {
      // A server that fails is as good as a missing share; record and move on.
      fail(c, "read failed: " + e);
      return null;
    }
  }

  private void fail(ShareCandidate c, String reason) {
    log.debug("share {} unusable: {}", c, reason);
    failures.add(new ShareFailure(c, reason));
  }

  private boolean activeHas(int shnum) {
    for (ShareMetadata m : active) {
      if (m.shnum == shnum) {
        return true;
      }
    }
    return false;
  }

  private void fill() throws NotEnoughSharesException {
    while (active.size() < k) {
      ShareMetadata next = null;
      ShareCandidate from = null;
      for (int i = 0; i < spares.size(); i++) {
        if (!activeHas(spares.get(i).shnum)) {
          next = spares.remove(i);
          from = spareCandidates.remove(i);
          break;
        }
      }
      while (next == null && !pending.isEmpty()) {
        ShareCandidate c = pending.remove(0);
        if (activeHas(c.shareNumber().value())) {
          // A second copy of an active share: keep as a spare for later.
          ShareMetadata m = open(c);
          if (m != null) {
            spares.add(m);
            spareCandidates.add(c);
          }
          continue;
        }
        next = open(c);
        from = c;
      }
      if (next == null) {
        throw new NotEnoughSharesException(k, active.size(), failures);
      }
      active.add(next);
      activeCandidates.add(from);
    }
    // Sorted by share number: primaries land in their own positions.
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < active.size(); i++) {
      idx.add(i);
    }
    idx.sort(Comparator.comparingInt(i -> active.get(i).shnum));
    List<ShareMetadata> a = new ArrayList<>();
    List<ShareCandidate> c = new ArrayList<>();
    for (int i : idx) {
      a.add(active.get(i));
      c.add(activeCandidates.get(i));
    }
    active.clear();
    active.addAll(a);
    activeCandidates.clear();
    activeCandidates.addAll(c);
  }

  /**
   * Recovers segment s: on return {@code primary[j][0..blockSize(s))} holds primary block j of the
   * zero-padded segment, verified. The arrays are owned by the caller and must be at least the
   * block size long.
   *
   * <p>The check is optimistic: k blocks are decoded and the segment is checked against the
   * crypttext hash tree (and its padding must be zeros). For fixed share numbers decoding is a
   * bijection, so a correct segment proves every block used was correct; block hashes are
   * computed only when the segment fails, to find and drop the bad shares.
   *
   * @throws NotEnoughSharesException if fewer than k good shares remain
   * @throws CorruptFileException if blocks that all match their block trees decode to ciphertext
   *     the crypttext tree rejects
   */
  void fetch(int s, byte[][] primary) throws NotEnoughSharesException, CorruptFileException {
    ChkGeometry g = reference.geometry;
    int blen = g.blockSize(s);
    while (true) {
      fill();
      if (!readActiveBlocks(s, blen)) {
        continue;
      }
      decode(primary, blen);
      if (paddingIsZero(s, primary, blen) && segmentMatches(s, primary, blen)) {
        return;
      }
      boolean blamed = false;
      for (int i = active.size() - 1; i >= 0; i--) {
        if (!blockMatches(active.get(i), s, blocks[i], blen)) {
          fail(activeCandidates.get(i),
              "block of segment " + s + " does not match its block hash tree");
          active.remove(i);
          activeCandidates.remove(i);
          blamed = true;
        }
      }
      if (!blamed) {
        throw new CorruptFileException("segment " + s
            + " decodes to ciphertext that the crypttext hash tree rejects, from blocks that"
            + " all match their block trees");
      }
    }
  }

  /**
   * For sources verified moments before, whose output the caller checks as a whole afterwards:
   * reads block s of k shares and decodes straight into the blocks of share numbers {@code rows}
   * (any, primary or check), without the primaries and without checking the segment. One pass
   * over the k blocks serves every row. A source that fails to read is replaced as in {@link
   * #fetch}; one that serves changed bytes is noticed only by the caller's final check.
   *
   * @throws NotEnoughSharesException if fewer than k readable shares remain
   */
  void fetchRows(int s, int[] rows, byte[][] out) throws NotEnoughSharesException {
    int blen = reference.geometry.blockSize(s);
    do {
      fill();
    } while (!readActiveBlocks(s, blen));
    int[] shnums = new int[k];
    for (int i = 0; i < k; i++) {
      shnums[i] = active.get(i).shnum;
    }
    codec.decodeInto(shnums, blocks, 0, blen, rows, out, 0);
  }

  /** Reads block s of every active share; drops the first that fails and returns false. */
  private boolean readActiveBlocks(int s, int blen) {
    for (int i = 0; i < active.size(); i++) {
      String problem = readBlock(active.get(i), s, blen, blocks[i]);
      if (problem != null) {
        fail(activeCandidates.get(i), problem);
        active.remove(i);
        activeCandidates.remove(i);
        return false;
      }
    }
    return true;
  }

  private void decode(byte[][] primary, int blen) {
    int[] shnums = new int[k];
    boolean systematic = true;
    for (int i = 0; i < k; i++) {
      shnums[i] = active.get(i).shnum;
      systematic &= shnums[i] == i;
    }
    if (systematic) {
      for (int j = 0; j < k; j++) {
        System.arraycopy(blocks[j], 0, primary[j], 0, blen);
      }
      return;
    }
    // Present primaries are copied; only the missing ones are decoded.
    BitSet have = new BitSet();
    for (int i = 0; i < k; i++) {
      if (shnums[i] < k) {
        have.set(shnums[i]);
        System.arraycopy(blocks[i], 0, primary[shnums[i]], 0, blen);
      }
    }
    int[] missing = new int[k - have.cardinality()];
    for (int j = 0, m = 0; j < k; j++) {
      if (!have.get(j)) {
        missing[m++] = j;
      }
    }
    byte[][] outs = new byte[missing.length][];
    for (int i = 0; i < missing.length; i++) {
      outs[i] = primary[missing[i]];
    }
    codec.decodeInto(shnums, blocks, 0, blen, missing, outs, 0);
  }

  /** The unpadded segment hashes to its crypttext leaf. */
  private boolean segmentMatches(int s, byte[][] primary, int blen) {
    int dataLen = reference.geometry.segmentDataSize(s);
    segHasher.start();
    for (int j = 0; j < k; j++) {
      int dl = Math.max(0, Math.min(blen, dataLen - j * blen));
      if (dl > 0) {
        segHasher.update(primary[j], 0, dl);
      }
    }
    return reference.crypttextLeafEquals(s, segHasher.finish());
  }

  /** The bytes past the segment's data (the tail segment's padding) are zeros. */
  private boolean paddingIsZero(int s, byte[][] primary, int blen) {
    int dataLen = reference.geometry.segmentDataSize(s);
    for (int j = 0; j < k; j++) {
      int dl = Math.max(0, Math.min(blen, dataLen - j * blen));
      for (int i = dl; i < blen; i++) {
        if (primary[j][i] != 0) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean blockMatches(ShareMetadata m, int s, byte[] block, int blen) {
    byte[] h = new byte[Hashes.HASH_LENGTH];
    blockHasher.hash(block, 0, blen, h, 0);
    return m.blockLeafEquals(s, h, 0);
  }

  /** Reads one block into {@code into}; returns a problem or null. */
  private String readBlock(ShareMetadata m, int s, int blen, byte[] into) {
    try {
      long off = m.layout.dataOffset() + (long) s * m.geometry.blockSize();
      int got = 0;
      while (got < blen) {
        ByteBuffer b = m.source.read(off + got, blen - got);
        int r = Math.min(b.remaining(), blen - got);
        if (r == 0) {
          return "block of segment " + s + " is truncated";
        }
        b.get(into, got, r);
        got += r;
      }
      return null;
    } catch (StorageException | RuntimeException e) {
      return "reading block of segment " + s + " failed: " + e;
    }
  }
}
