package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.hashtree.HashTree;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;

/**
 * Verifies one immutable share completely against a verify cap (tahoe-formats.md §4.7, stricter
 * than Tahoe): the header equals the one layout the cap and UEB imply; the UEB hashes to the cap
 * and agrees with its k, N and size; the share-hash chain links to the UEB's share root; the
 * block tree is consistent and its root is this share's leaf (Tahoe skips this); the crypttext
 * tree is consistent with the UEB's root; the reserved plaintext-tree region is zeros; every block
 * hashes to its leaf; the share is exactly as long as it should be. Every byte of the share data
 * is covered, so any change to a good share is reported.
 *
 * <p>Corruption is a verdict, not an exception; only storage failures are thrown. Reads are
 * bounded by what the cap and UEB imply, never by lengths found in the share. Stateless and
 * thread-safe.
 */
public final class ChkVerifier {
  /** Bytes of blocks fetched per read while hashing. */
  private static final int CHUNK = 1 << 20;

  private ChkVerifier() {}

  /**
   * Verifies share {@code shnum} read through {@code source}.
   *
   * @throws StorageException only if the source fails (a short read is a verdict, not a failure)
   */
  public static ShareVerdict verify(ChkVerifyCap cap, ShareNumber shnum, ShareSource source)
      throws StorageException {
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(source, "source");
    return verify(cap, shnum, source, ChkVerifier::checkBlocks);
  }

  /**
   * Verifies a share this process just rebuilt and wrote, as {@link #verify} does for everything
   * but the blocks: those are checked against what was written ({@link WrittenBlocks}: the stored
   * block tree must hold exactly the hashes computed from the written buffers, and each stored
   * block must have the CRC-32C of its buffer) instead of being hashed again.
   *
   * @throws StorageException only if the source fails
   */
  public static ShareVerdict verifyWritten(ChkVerifyCap cap, ShareSource source, WrittenBlocks written)
      throws StorageException {
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(source, "source");
    return verify(cap, written.shareNumber(), source, (m, problems) -> checkWrittenBlocks(m, written, problems));
  }

  /** How the blocks of a share whose metadata checked out are checked. */
  @FunctionalInterface
  private interface BlockCheck {
    void check(ShareMetadata m, List<ShareProblem> problems) throws StorageException;
  }

  private static ShareVerdict verify(ChkVerifyCap cap, ShareNumber shnum, ShareSource source,
      BlockCheck blocks) throws StorageException {
    ShareMetadata m = ShareMetadata.read(
        cap.uebHash().toByteArray(), cap.k(), cap.n(), cap.size(), shnum.value(), source);
    if (m.incompatible != null) {
      return new ShareVerdict.Incompatible(shnum, m.incompatible);
    }
    List<ShareProblem> problems = new ArrayList<>(m.problems);
    if (m.located) {
      checkPlaintextTreeRegion(m, problems);
      blocks.check(m, problems);
    }
    if (problems.isEmpty()) {
      return new ShareVerdict.Good(shnum, m.layout.version(), m.expectedLength);
    }
    problems.sort(java.util.Comparator.comparingInt(p -> p.region().ordinal()));
    return new ShareVerdict.Corrupt(shnum, problems);
  }

  private static void checkWrittenBlocks(ShareMetadata m, WrittenBlocks written, List<ShareProblem> problems)
      throws StorageException {
    int segs = m.geometry.numSegments();
    if (written.blocks() != segs) {
      problems.add(ShareProblem.of(ShareRegion.BLOCK,
          "expected " + written.blocks() + " written blocks, the share has " + segs));
      return;
    }
    if (m.blockTree == null || !m.blockTreeValid) {
      problems.add(ShareProblem.of(ShareRegion.BLOCK, "the stored block tree is not valid"));
      return;
    }
    CRC32C crc = new CRC32C();
    int complete = forEachBlock(m, (s, chunk, at, blen) -> {
      crc.reset();
      crc.update(chunk.slice(chunk.position() + at, blen));
      if ((int) crc.getValue() != written.crc(s) || !written.leafEquals(m, s)) {
        problems.add(ShareProblem.atSegment(ShareRegion.BLOCK, s,
            "stored block differs from the block written"));
      }
    });
    if (complete < segs) {
      problems.add(ShareProblem.atSegment(ShareRegion.BLOCK, complete,
          "blocks from segment " + complete + " on are missing (share truncated)"));
    }
  }

  private static void checkPlaintextTreeRegion(ShareMetadata m, List<ShareProblem> problems)
      throws StorageException {
    long start = m.layout.plaintextTreeOffset();
    long end = m.layout.crypttextTreeOffset();
    for (long off = start; off < end; ) {
      int want = (int) Math.min(CHUNK, end - off);
      ByteBuffer b = m.source.read(off, want);
      int got = Math.min(b.remaining(), want);
      for (int i = 0; i < got; i++) {
        if (b.get(b.position() + i) != 0) {
          problems.add(ShareProblem.of(ShareRegion.PLAINTEXT_HASH_TREE,
              "reserved region has a non-zero byte at " + (off + i)));
          return;
        }
      }
      if (got < want) {
        return; // truncation is already reported
      }
      off += got;
    }
  }

  private static void checkBlocks(ShareMetadata m, List<ShareProblem> problems)
      throws StorageException {
    ChkGeometry g = m.geometry;
    int segs = g.numSegments();
    byte[] leaves = new byte[segs * Hashes.HASH_LENGTH];
    int hashed = hashBlocks(m, leaves);
    if (hashed < segs) {
      problems.add(ShareProblem.atSegment(ShareRegion.BLOCK, hashed,
          "blocks from segment " + hashed + " on are missing (share truncated)"));
    }
    if (m.blockTree == null) {
      return;
    }
    // When the stored tree is damaged, the blocks may still be right: they are if the tree
    // rebuilt from them has the trusted root. Then only the tree is corrupt.
    if (!m.blockTreeValid && hashed == segs && m.trustedBlockRoot != null) {
      HashTree rebuilt = HashTree.ofConcatenated(leaves, segs);
      if (java.util.Arrays.equals(rebuilt.root(), m.trustedBlockRoot)) {
        return;
      }
    }
    for (int s = 0; s < hashed; s++) {
      if (!m.blockLeafEquals(s, leaves, s * Hashes.HASH_LENGTH)) {
        problems.add(ShareProblem.atSegment(ShareRegion.BLOCK, s,
            m.blockTreeValid
                ? "block does not match its hash in the block tree"
                : "block does not match its leaf in the (damaged) block tree"));
      }
    }
  }

  /** Hashes the blocks in large reads; returns how many segments' blocks were complete. */
  private static int hashBlocks(ShareMetadata m, byte[] leaves) throws StorageException {
    TaggedHasher hasher = new TaggedHasher(Hashes.TAG_BLOCK);
    return forEachBlock(m, (s, chunk, at, blen) -> {
      hasher.start();
      if (chunk.hasArray()) {
        hasher.update(chunk.array(), chunk.arrayOffset() + chunk.position() + at, blen);
      } else {
        // MessageDigest copies read-only buffers through a small L1-resident array.
        hasher.update(chunk.slice(chunk.position() + at, blen));
      }
      hasher.finish(leaves, s * Hashes.HASH_LENGTH);
    });
  }

  /** Receives one complete block: {@code chunk[position + at, + blen)} is block {@code s}. */
  @FunctionalInterface
  private interface BlockVisitor {
    void block(int s, ByteBuffer chunk, int at, int blen);
  }

  /**
   * Reads the blocks in order, several per request, and hands each complete one to {@code v};
   * returns how many segments' blocks were complete (fewer than all when the share is short).
   */
  private static int forEachBlock(ShareMetadata m, BlockVisitor v) throws StorageException {
    ChkGeometry g = m.geometry;
    int segs = g.numSegments();
    int bs = g.blockSize();
    int perChunk = Math.max(1, CHUNK / bs);
    long base = m.layout.dataOffset();
    for (int s = 0; s < segs; ) {
      int count = Math.min(perChunk, segs - s);
      long len = (long) (count - 1) * bs + g.blockSize(s + count - 1);
      ByteBuffer b = m.source.read(base + (long) s * bs, (int) len);
      int avail = (int) Math.min(b.remaining(), len);
      for (int i = 0; i < count; i++, s++) {
        int blen = g.blockSize(s);
        int at = i * bs;
        if (at + blen > avail) {
          return s;
        }
        v.block(s, b, at, blen);
      }
      if (avail < len) {
        return s;
      }
    }
    return segs;
  }
}
