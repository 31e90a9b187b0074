package org.lafsrepair.cap;

import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.spi.StorageIndex;

/**
 * {@code URI:SSK-RO:<readkey>:<fingerprint>} or {@code URI:MDMF-RO:...}: the read cap of a mutable
 * file. MDMF read caps may carry ignored {@code :...} fields, kept in {@code extension}.
 */
public record MutableReadCap(
    MutableFormat mutableFormat, ImmutableBytes readkey, ImmutableBytes fingerprint,
    String extension) implements Cap {

  public MutableReadCap {
    Objects.requireNonNull(mutableFormat, "mutableFormat");
    Fields.requireLength(readkey, Fields.KEY_LENGTH, "readkey");
    Fields.requireLength(fingerprint, Fields.HASH_LENGTH, "fingerprint");
    Fields.requireMutableExtension(mutableFormat, extension);
  }

  /** A read cap with no extension fields. */
  public MutableReadCap(
      MutableFormat mutableFormat, ImmutableBytes readkey, ImmutableBytes fingerprint) {
    this(mutableFormat, readkey, fingerprint, "");
  }

  /** {@code H(readkey_to_storage_index; readkey)[:16]}. */
  public StorageIndex index() {
    return MutableKeys.storageIndex(readkey.toByteArray());
  }

  /** The verify cap, typed. */
  public MutableVerifyCap toVerifyCap() {
    return new MutableVerifyCap(mutableFormat, index(), fingerprint);
  }

  @Override
  public String kind() {
    return mutableFormat.kindName() + "-read";
  }

  @Override
  public String format() {
    return mutableFormat.readPrefix() + readkey.toBase32() + ":" + fingerprint.toBase32()
        + extension;
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.of(index());
  }

  @Override
  public Optional<VerifyCap> verifyCap() {
    return Optional.of(toVerifyCap());
  }

  @Override
  public Optional<Cap> readCap() {
    return Optional.of(this);
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
