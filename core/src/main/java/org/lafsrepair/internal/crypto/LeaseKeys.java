package org.lafsrepair.internal.crypto;

import java.util.Objects;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageIndex;

/**
 * Lease renew/cancel secret derivations of tahoe-formats.md §1.4: client secret → file secret →
 * bucket secret (the last is what a server receives). The client step swaps Tahoe's usual
 * argument order, hashing the constant under the client's secret as tag; the bucket step uses
 * the server's raw 20-byte node id. Stateless and thread-safe.
 */
public final class LeaseKeys {
  /** Length of the client lease secret and every derived secret. */
  public static final int SECRET_LENGTH = 32;

  private LeaseKeys() {}

  /** {@code H(lease_secret; "allmydata_client_renewal_secret_v1")}. */
  public static byte[] clientRenewalSecret(byte[] clientLeaseSecret) {
    return Hashes.taggedWithBytes(check(clientLeaseSecret, "client lease secret"),
        ascii(Hashes.TAG_CLIENT_RENEWAL));
  }

  /** {@code H(lease_secret; "allmydata_client_cancel_secret_v1")}. */
  public static byte[] clientCancelSecret(byte[] clientLeaseSecret) {
    return Hashes.taggedWithBytes(check(clientLeaseSecret, "client lease secret"),
        ascii(Hashes.TAG_CLIENT_CANCEL));
  }

  /** {@code H2(file_renewal; client renewal secret, SI)}. */
  public static byte[] fileRenewalSecret(byte[] clientRenewalSecret, StorageIndex si) {
    return Hashes.tagged2(Hashes.TAG_FILE_RENEWAL,
        check(clientRenewalSecret, "client renewal secret"), si.toBytes());
  }

  /** {@code H2(file_cancel; client cancel secret, SI)}. */
  public static byte[] fileCancelSecret(byte[] clientCancelSecret, StorageIndex si) {
    return Hashes.tagged2(Hashes.TAG_FILE_CANCEL,
        check(clientCancelSecret, "client cancel secret"), si.toBytes());
  }

  /** {@code H2(bucket_renewal; file renewal secret, server id)}. */
  public static byte[] bucketRenewalSecret(byte[] fileRenewalSecret, ServerId server) {
    return Hashes.tagged2(Hashes.TAG_BUCKET_RENEWAL,
        check(fileRenewalSecret, "file renewal secret"), server.toBytes());
  }

  /** {@code H2(bucket_cancel; file cancel secret, server id)}. */
  public static byte[] bucketCancelSecret(byte[] fileCancelSecret, ServerId server) {
    return Hashes.tagged2(Hashes.TAG_BUCKET_CANCEL,
        check(fileCancelSecret, "file cancel secret"), server.toBytes());
  }

  /** The renew and cancel secrets a client sends to {@code server} for a lease on {@code si}. */
  public static LeaseSecrets forServer(byte[] clientLeaseSecret, StorageIndex si, ServerId server) {
    byte[] renew = bucketRenewalSecret(
        fileRenewalSecret(clientRenewalSecret(clientLeaseSecret), si), server);
    byte[] cancel = bucketCancelSecret(
        fileCancelSecret(clientCancelSecret(clientLeaseSecret), si), server);
    return LeaseSecrets.of(renew, cancel);
  }

  private static byte[] check(byte[] secret, String what) {
    Objects.requireNonNull(secret, what);
    if (secret.length != SECRET_LENGTH) {
      throw new IllegalArgumentException(what + " must be 32 bytes, got " + secret.length);
    }
    return secret;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
