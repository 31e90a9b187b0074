package org.lafsrepair.cap;

import java.util.Optional;
import org.lafsrepair.spi.StorageIndex;

/**
 * A Tahoe-LAFS capability (tahoe-formats.md §2). Obtain one with {@link Caps#parse}; every
 * implementation is an immutable, validated record whose {@link #toString()} is the exact cap
 * string it was parsed from.
 *
 * <p>Access levels diminish: write → read → verify. {@link #verifyCap()} gives what a repairer
 * needs (no decryption key); {@link #readCap()} gives what a reader needs.
 */
public sealed interface Cap
    permits LiteralCap, ChkReadCap, MutableWriteCap, MutableReadCap, DirectoryCap, VerifyCap {

  /**
   * The kind, as printed by {@code lafs-repair cap --json}: {@code chk-read}, {@code chk-verify},
   * {@code lit}, {@code sdmf-write}, {@code sdmf-read}, {@code sdmf-verify}, {@code mdmf-write},
   * {@code mdmf-read}, {@code mdmf-verify}, or {@code dir-} followed by the inner kind.
   */
  String kind();

  /** The cap string; {@code Caps.parse(s).format().equals(s)} for every accepted {@code s}. */
  String format();

  /** The storage index the shares live under; empty for literal caps, which store nothing. */
  Optional<StorageIndex> storageIndex();

  /** The verify cap this cap diminishes to (itself for verify caps); empty for literal caps. */
  Optional<VerifyCap> verifyCap();

  /** The read cap (itself for read caps); empty for verify caps, which cannot decrypt. */
  Optional<Cap> readCap();

  /** Whether the file can change (SDMF, MDMF and the directories on them). */
  boolean isMutable();

  /** Whether this cap grants writing. */
  default boolean isWritable() {
    return false;
  }

  /** Whether this is a directory cap ({@code URI:DIR2...}). */
  default boolean isDirectory() {
    return false;
  }

  /**
   * The cap of the file that holds the data: the inner cap of a directory cap, else this cap.
   * Storage, verification and repair work on this.
   */
  default Cap fileCap() {
    return this;
  }
}
