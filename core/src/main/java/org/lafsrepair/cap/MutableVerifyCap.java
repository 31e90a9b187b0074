package org.lafsrepair.cap;

import java.util.Objects;
import org.lafsrepair.spi.StorageIndex;

/**
 * {@code URI:SSK-Verifier:<SI>:<fingerprint>} or {@code URI:MDMF-Verifier:...}: lets its holder
 * find and verify a mutable file's shares (signatures, hash trees) without reading it. MDMF
 * verify caps may carry ignored {@code :...} fields, kept in {@code extension}.
 */
public record MutableVerifyCap(
    MutableFormat mutableFormat, StorageIndex index, ImmutableBytes fingerprint, String extension)
    implements VerifyCap {

  public MutableVerifyCap {
    Objects.requireNonNull(mutableFormat, "mutableFormat");
    Objects.requireNonNull(index, "index");
    Fields.requireLength(fingerprint, Fields.HASH_LENGTH, "fingerprint");
    Fields.requireMutableExtension(mutableFormat, extension);
  }

  /** A verify cap with no extension fields. */
  public MutableVerifyCap(
      MutableFormat mutableFormat, StorageIndex index, ImmutableBytes fingerprint) {
    this(mutableFormat, index, fingerprint, "");
  }

  @Override
  public String kind() {
    return mutableFormat.kindName() + "-verify";
  }

  @Override
  public String format() {
    return mutableFormat.verifyPrefix() + index.toBase32() + ":" + fingerprint.toBase32()
        + extension;
  }

  @Override
  public boolean isMutable() {
    return true;
  }

  @Override
  public String toString() {
    return format();
  }
}
