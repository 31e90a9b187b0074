package org.lafsrepair.internal.crypto;

import java.util.Objects;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.WriteEnabler;

/**
 * SSK (SDMF and MDMF) key derivations of tahoe-formats.md §1.4. Stateless and thread-safe; every
 * method returns a fresh array.
 */
public final class MutableKeys {
  /** Length of writekeys, readkeys and data keys. */
  public static final int KEY_LENGTH = 16;
  /** Length of the public-key fingerprint. */
  public static final int FINGERPRINT_LENGTH = 32;
  /** Length of an MDMF segment salt / SDMF IV. */
  public static final int SALT_LENGTH = 16;

  private MutableKeys() {}

  /** {@code H(privkey_to_writekey; PKCS#8 DER)[:16]}, over the exact bytes given. */
  public static byte[] writekey(byte[] privateKeyPkcs8) {
    return Hashes.tagged(Hashes.TAG_PRIVKEY_TO_WRITEKEY, privateKeyPkcs8, KEY_LENGTH);
  }

  /** The writekey of a signing key (hash of its exact PKCS#8 bytes). */
  public static byte[] writekey(RsaSigningKey key) {
    return writekey(key.pkcs8());
  }

  /** {@code H(writekey_to_readkey; writekey)[:16]}. */
  public static byte[] readkey(byte[] writekey) {
    checkKey(writekey, "writekey");
    return Hashes.tagged(Hashes.TAG_WRITEKEY_TO_READKEY, writekey, KEY_LENGTH);
  }

  /** {@code H(readkey_to_storage_index; readkey)[:16]}. */
  public static StorageIndex storageIndex(byte[] readkey) {
    checkKey(readkey, "readkey");
    return StorageIndex.of(Hashes.tagged(Hashes.TAG_READKEY_TO_SI, readkey, StorageIndex.LENGTH));
  }

  /** {@code H(pubkey_to_fingerprint; SPKI DER)}: 32 bytes over the exact bytes given. */
  public static byte[] fingerprint(byte[] publicKeySpki) {
    return Hashes.tagged(Hashes.TAG_PUBKEY_TO_FINGERPRINT, publicKeySpki);
  }

  /** The fingerprint of a verification key. */
  public static byte[] fingerprint(RsaVerificationKey key) {
    return fingerprint(key.spki());
  }

  /** {@code H2(readkey_to_datakey; salt, readkey)[:16]}: the AES key of an SDMF file or MDMF segment. */
  public static byte[] datakey(byte[] salt, byte[] readkey) {
    Objects.requireNonNull(salt, "salt");
    if (salt.length != SALT_LENGTH) {
      throw new IllegalArgumentException("salt must be 16 bytes, got " + salt.length);
    }
    checkKey(readkey, "readkey");
    byte[] h = Hashes.tagged2(Hashes.TAG_READKEY_TO_DATAKEY, salt, readkey);
    return java.util.Arrays.copyOf(h, KEY_LENGTH);
  }

  /** {@code H(writekey_to_write_enabler_master; writekey)}: 32 bytes. */
  public static byte[] writeEnablerMaster(byte[] writekey) {
    checkKey(writekey, "writekey");
    return Hashes.tagged(Hashes.TAG_WRITEKEY_TO_WE_MASTER, writekey);
  }

  /** {@code H2(WE_tag; master, server node id)}: the write enabler for one server. */
  public static WriteEnabler writeEnabler(byte[] writeEnablerMaster, ServerId server) {
    Objects.requireNonNull(writeEnablerMaster, "writeEnablerMaster");
    if (writeEnablerMaster.length != Hashes.HASH_LENGTH) {
      throw new IllegalArgumentException(
          "write-enabler master must be 32 bytes, got " + writeEnablerMaster.length);
    }
    return WriteEnabler.of(
        Hashes.tagged2(Hashes.TAG_WE_MASTER_AND_NODEID_TO_WE, writeEnablerMaster, server.toBytes()));
  }

  /** The write enabler for one server, straight from the writekey. */
  public static WriteEnabler writeEnablerFor(byte[] writekey, ServerId server) {
    return writeEnabler(writeEnablerMaster(writekey), server);
  }

  private static void checkKey(byte[] key, String what) {
    Objects.requireNonNull(key, what);
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(what + " must be 16 bytes, got " + key.length);
    }
  }
}
