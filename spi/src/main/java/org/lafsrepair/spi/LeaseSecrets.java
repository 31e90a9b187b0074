package org.lafsrepair.spi;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * A lease's renew and cancel secrets (32 bytes each), as sent to a server. Servers that store
 * hashed secrets (Tahoe container v2) hash them; the secrets themselves are never logged.
 */
public final class LeaseSecrets {
  /** Length of each secret in bytes. */
  public static final int LENGTH = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] renew;
  private final byte[] cancel;

  private LeaseSecrets(byte[] renew, byte[] cancel) {
    this.renew = renew;
    this.cancel = cancel;
  }

  /** Copies two 32-byte secrets. */
  public static LeaseSecrets of(byte[] renew, byte[] cancel) {
    Objects.requireNonNull(renew, "renew");
    Objects.requireNonNull(cancel, "cancel");
    if (renew.length != LENGTH || cancel.length != LENGTH) {
      throw new IllegalArgumentException("lease secrets must be 32 bytes each");
    }
    return new LeaseSecrets(renew.clone(), cancel.clone());
  }

  /** Fresh random secrets, for callers that do not manage leases. */
  public static LeaseSecrets random() {
    byte[] r = new byte[LENGTH];
    byte[] c = new byte[LENGTH];
    RANDOM.nextBytes(r);
    RANDOM.nextBytes(c);
    return new LeaseSecrets(r, c);
  }

  public byte[] renewSecret() {
    return renew.clone();
  }

  public byte[] cancelSecret() {
    return cancel.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeaseSecrets other
        && Arrays.equals(renew, other.renew)
        && Arrays.equals(cancel, other.cancel);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(renew) + Arrays.hashCode(cancel);
  }

  @Override
  public String toString() {
    return "LeaseSecrets[redacted]";
  }
}
