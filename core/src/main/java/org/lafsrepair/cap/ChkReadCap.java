package org.lafsrepair.cap;

import java.util.Optional;
import org.lafsrepair.internal.crypto.ChkKeys;
import org.lafsrepair.spi.StorageIndex;

/**
 * {@code URI:CHK:<key>:<UEB hash>:<k>:<N>:<size>}: the read cap of an immutable file. The key
 * decrypts the file and hashes to the storage index; the UEB hash pins every share byte.
 */
public record ChkReadCap(ImmutableBytes key, ImmutableBytes uebHash, int k, int n, long size)
    implements Cap {
  public static final String PREFIX = "URI:CHK:";

  public ChkReadCap {
    Fields.requireLength(key, Fields.KEY_LENGTH, "CHK key");
    Fields.requireLength(uebHash, Fields.HASH_LENGTH, "UEB hash");
    Fields.requireEncoding(k, n, size);
  }

  @Override
  public String kind() {
    return "chk-read";
  }

  @Override
  public String format() {
    return PREFIX + key.toBase32() + ":" + uebHash.toBase32() + ":" + k + ":" + n + ":" + size;
  }

  /** {@code H(immutable_key_to_storage_index; key)[:16]}. */
  public StorageIndex index() {
    return ChkKeys.storageIndex(key.toByteArray());
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.of(index());
  }

  @Override
  public Optional<VerifyCap> verifyCap() {
    return Optional.of(toVerifyCap());
  }

  /** The verify cap, typed. */
  public ChkVerifyCap toVerifyCap() {
    return new ChkVerifyCap(index(), uebHash, k, n, size);
  }

  @Override
  public Optional<Cap> readCap() {
    return Optional.of(this);
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
