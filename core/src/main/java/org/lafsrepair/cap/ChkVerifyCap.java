package org.lafsrepair.cap;

import java.util.Objects;
import org.lafsrepair.spi.StorageIndex;

/**
 * {@code URI:CHK-Verifier:<SI>:<UEB hash>:<k>:<N>:<size>}: lets its holder verify and repair an
 * immutable file without reading it. Tahoe's pattern for this cap has no end anchor, so text after
 * the size is accepted and ignored; it is kept in {@code extension} only so the cap formats back
 * to the exact string it came from.
 */
public record ChkVerifyCap(
    StorageIndex index, ImmutableBytes uebHash, int k, int n, long size, String extension)
    implements VerifyCap {
  public static final String PREFIX = "URI:CHK-Verifier:";

  public ChkVerifyCap {
    Objects.requireNonNull(index, "index");
    Fields.requireLength(uebHash, Fields.HASH_LENGTH, "UEB hash");
    Fields.requireEncoding(k, n, size);
    Fields.requireExtension(extension);
    if (!extension.isEmpty() && Character.isDigit(extension.charAt(0))) {
      throw new IllegalArgumentException("CHK-Verifier extension must not start with a digit");
    }
  }

  /** A verify cap with no extension text. */
  public ChkVerifyCap(StorageIndex index, ImmutableBytes uebHash, int k, int n, long size) {
    this(index, uebHash, k, n, size, "");
  }

  @Override
  public String kind() {
    return "chk-verify";
  }

  @Override
  public String format() {
    return PREFIX + index.toBase32() + ":" + uebHash.toBase32() + ":" + k + ":" + n + ":" + size
        + extension;
  }

  @Override
  public boolean isMutable() {
    return false;
  }

  @Override
  public String toString() {
    return format();
  }
}
