package org.lafsrepair.backend.disk;

import java.security.MessageDigest;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * Lease records of both container kinds (tahoe-formats.md §5.2, §7.5). Version-2 containers
 * (Tahoe 1.17+) store unkeyed BLAKE2b-256 of each secret, version 1 the secret itself; a
 * candidate secret is compared by transforming it the same way, in constant time.
 */
final class Leases {
  /** Tahoe's DEFAULT_RENEWAL_TIME: a lease runs 31 days from grant or renewal. */
  static final long RENEWAL_SECONDS = 31L * 24 * 60 * 60;

  static final int IMMUTABLE_LEASE_SIZE = 72;
  static final int MUTABLE_LEASE_SIZE = 92;

  private Leases() {}

  static byte[] blake2b256(byte[] secret) {
    Blake2bDigest d = new Blake2bDigest(256);
    d.update(secret, 0, secret.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /** The bytes a container of {@code hashed} kind stores for {@code secret}. */
  static byte[] stored(byte[] secret, boolean hashed) {
    return hashed ? blake2b256(secret) : secret.clone();
  }

  /** Whether a stored secret field matches the presented {@code secret}. */
  static boolean matches(byte[] storedField, byte[] secret, boolean hashed) {
    return MessageDigest.isEqual(storedField, stored(secret, hashed));
  }

  /** Expiry for a lease granted or renewed now, as the u32 Tahoe stores. */
  static long expiry(long nowSeconds) {
    return Math.min(0xffffffffL, Math.max(0, nowSeconds + RENEWAL_SECONDS));
  }
}
