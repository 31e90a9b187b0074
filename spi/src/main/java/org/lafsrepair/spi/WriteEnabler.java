package org.lafsrepair.spi;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * The 32-byte secret that authorises writes to a mutable slot on one server (Tahoe derives it
 * from the write cap and the server's node id). Compared in constant time.
 */
public final class WriteEnabler {
  /** Length in bytes. */
  public static final int LENGTH = 32;

  private final byte[] bytes;

  private WriteEnabler(byte[] bytes) {
    this.bytes = bytes;
  }

  public static WriteEnabler of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("write enabler must be 32 bytes, got " + bytes.length);
    }
    return new WriteEnabler(bytes.clone());
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Constant-time comparison with raw stored bytes. */
  public boolean matches(byte[] stored) {
    return stored != null && MessageDigest.isEqual(bytes, stored);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriteEnabler other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "WriteEnabler[redacted]";
  }
}
