package org.lafsrepair.immutable;

import java.util.Arrays;
import java.util.Objects;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.spi.ShareNumber;

/**
 * What a rebuild wrote into one share's block region: the block hashes it computed from the very
 * buffers it wrote (and built the share's block tree from), and a CRC-32C of each block. A
 * read-back ({@link ChkVerifier#verifyWritten}) then proves the stored share good without hashing
 * every block again: the stored metadata is checked cryptographically as usual, its block-tree
 * leaves must equal these hashes, and each stored block must have the CRC of the buffer those
 * hashes were taken of. CRC-32C catches storage faults (torn or misdirected writes, flipped
 * bits), not forgery; a server that forges data can also serve good bytes to any read-back, so a
 * full re-hash would not defend against it either. Immutable.
 */
public final class WrittenBlocks {
  private final ShareNumber shareNumber;
  private final byte[] leaves;
  private final int[] crc32c;

  WrittenBlocks(ShareNumber shareNumber, byte[] leaves, int[] crc32c) {
    this.shareNumber = Objects.requireNonNull(shareNumber);
    if (leaves.length != crc32c.length * Hashes.HASH_LENGTH) {
      throw new IllegalArgumentException(
          crc32c.length + " CRCs but " + leaves.length / Hashes.HASH_LENGTH + " block hashes");
    }
    this.leaves = leaves.clone();
    this.crc32c = crc32c.clone();
  }

  public ShareNumber shareNumber() {
    return shareNumber;
  }

  /** Number of blocks (segments). */
  public int blocks() {
    return crc32c.length;
  }

  boolean leafEquals(ShareMetadata m, int s) {
    return m.blockLeafEquals(s, leaves, s * Hashes.HASH_LENGTH);
  }

  int crc(int s) {
    return crc32c[s];
  }

  @Override
  public String toString() {
    return "WrittenBlocks[" + shareNumber + ", " + crc32c.length + " blocks, crc0="
        + (crc32c.length == 0 ? "-" : Integer.toHexString(crc32c[0])) + ", leaves="
        + Arrays.hashCode(leaves) + "]";
  }
}
