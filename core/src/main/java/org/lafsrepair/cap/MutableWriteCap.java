package org.lafsrepair.cap;

import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.spi.StorageIndex;

/**
 * {@code URI:SSK:<writekey>:<fingerprint>} (SDMF) or {@code URI:MDMF:<writekey>:<fingerprint>}: the
 * write cap of a mutable file. The writekey decrypts the signing key and derives the per-server
 * write enablers; the fingerprint pins the verification key. MDMF caps may carry ignored
 * {@code :...} fields (old hints), kept in {@code extension} for exact formatting.
 */
public record MutableWriteCap(
    MutableFormat mutableFormat, ImmutableBytes writekey, ImmutableBytes fingerprint,
    String extension) implements Cap {

  public MutableWriteCap {
    Objects.requireNonNull(mutableFormat, "mutableFormat");
    Fields.requireLength(writekey, Fields.KEY_LENGTH, "writekey");
    Fields.requireLength(fingerprint, Fields.HASH_LENGTH, "fingerprint");
    Fields.requireMutableExtension(mutableFormat, extension);
  }

  /** A write cap with no extension fields. */
  public MutableWriteCap(
      MutableFormat mutableFormat, ImmutableBytes writekey, ImmutableBytes fingerprint) {
    this(mutableFormat, writekey, fingerprint, "");
  }

  /** {@code H(writekey_to_readkey; writekey)[:16]}. */
  public ImmutableBytes readkey() {
    return ImmutableBytes.wrap(MutableKeys.readkey(writekey.toByteArray()));
  }

  /** The storage index (via the readkey). */
  public StorageIndex index() {
    return MutableKeys.storageIndex(MutableKeys.readkey(writekey.toByteArray()));
  }

  /** The read cap, typed (extension fields are dropped, as Tahoe does). */
  public MutableReadCap toReadCap() {
    return new MutableReadCap(mutableFormat, readkey(), fingerprint);
  }

  /** The verify cap, typed. */
  public MutableVerifyCap toVerifyCap() {
    return new MutableVerifyCap(mutableFormat, index(), fingerprint);
  }

  @Override
  public String kind() {
    return mutableFormat.kindName() + "-write";
  }

  @Override
  public String format() {
    return mutableFormat.writePrefix() + writekey.toBase32() + ":" + fingerprint.toBase32()
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
    return Optional.of(toReadCap());
  }

  @Override
  public boolean isMutable() {
    return true;
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public String toString() {
    return format();
  }
}
