package org.lafsrepair.mutable;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.MutableReadCap;
import org.lafsrepair.cap.MutableVerifyCap;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.spi.StorageIndex;

/**
 * What a cap to a mutable file grants, as keys: always the storage index and the public-key
 * fingerprint (verify), plus the readkey (read) and the writekey (write) when held. Built from
 * the cap's fields; immutable, arrays copied in and out.
 */
public final class MutableFileKeys {
  private final StorageIndex si;
  private final byte[] fingerprint;
  private final byte[] readkey;
  private final byte[] writekey;

  private MutableFileKeys(StorageIndex si, byte[] fingerprint, byte[] readkey, byte[] writekey) {
    this.si = si;
    this.fingerprint = fingerprint;
    this.readkey = readkey;
    this.writekey = writekey;
  }

  /** A verify cap: storage index and fingerprint. */
  public static MutableFileKeys forVerify(StorageIndex si, byte[] fingerprint) {
    return new MutableFileKeys(Objects.requireNonNull(si, "si"), fp(fingerprint), null, null);
  }

  /** A read cap: readkey and fingerprint. */
  public static MutableFileKeys forRead(byte[] readkey, byte[] fingerprint) {
    byte[] rk = key(readkey, "readkey");
    return new MutableFileKeys(MutableKeys.storageIndex(rk), fp(fingerprint), rk, null);
  }

  /** A write cap: writekey and fingerprint. */
  public static MutableFileKeys forWrite(byte[] writekey, byte[] fingerprint) {
    byte[] wk = key(writekey, "writekey");
    byte[] rk = MutableKeys.readkey(wk);
    return new MutableFileKeys(MutableKeys.storageIndex(rk), fp(fingerprint), rk, wk);
  }

  /**
   * The keys a mutable cap grants: write, read or verify cap (SDMF or MDMF alike).
   *
   * @throws IllegalArgumentException for any other kind of cap
   */
  public static MutableFileKeys of(Cap cap) {
    if (cap instanceof MutableWriteCap w) {
      return forWrite(w.writekey().toByteArray(), w.fingerprint().toByteArray());
    }
    if (cap instanceof MutableReadCap r) {
      return forRead(r.readkey().toByteArray(), r.fingerprint().toByteArray());
    }
    if (cap instanceof MutableVerifyCap v) {
      return forVerify(v.index(), v.fingerprint().toByteArray());
    }
    throw new IllegalArgumentException("not a mutable file cap: " + cap.kind());
  }

  private static byte[] fp(byte[] fingerprint) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    if (fingerprint.length != MutableKeys.FINGERPRINT_LENGTH) {
      throw new IllegalArgumentException("fingerprint must be 32 bytes");
    }
    return fingerprint.clone();
  }

  private static byte[] key(byte[] k, String what) {
    Objects.requireNonNull(k, what);
    if (k.length != MutableKeys.KEY_LENGTH) {
      throw new IllegalArgumentException(what + " must be 16 bytes");
    }
    return k.clone();
  }

  public StorageIndex storageIndex() {
    return si;
  }

  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  public Optional<byte[]> readkey() {
    return Optional.ofNullable(readkey).map(byte[]::clone);
  }

  public Optional<byte[]> writekey() {
    return Optional.ofNullable(writekey).map(byte[]::clone);
  }

  /** The same file with only verify rights. */
  public MutableFileKeys toVerify() {
    return new MutableFileKeys(si, fingerprint, null, null);
  }

  boolean fingerprintMatches(byte[] spki) {
    return java.security.MessageDigest.isEqual(MutableKeys.fingerprint(spki), fingerprint);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MutableFileKeys k && si.equals(k.si) && Arrays.equals(fingerprint, k.fingerprint)
        && Arrays.equals(readkey, k.readkey) && Arrays.equals(writekey, k.writekey);
  }

  @Override
  public int hashCode() {
    return si.hashCode();
  }

  @Override
  public String toString() {
    return "MutableFileKeys[" + si + (writekey != null ? ", write" : readkey != null ? ", read" : ", verify")
        + "]";
  }
}
