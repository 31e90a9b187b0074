package org.lafsrepair.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A storage server's 20-byte node id (Tahoe's tub id / {@code my_nodeid}), rendered as 32
 * characters of lowercase base32. Immutable and thread-safe.
 */
public final class ServerId implements Comparable<ServerId> {
  /** Length in bytes. */
  public static final int LENGTH = 20;

  private final byte[] bytes;

  private ServerId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps a copy of exactly 20 bytes. */
  public static ServerId of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("server id must be 20 bytes, got " + bytes.length);
    }
    return new ServerId(bytes.clone());
  }

  /** Parses the 32-character base32 form (as in a Tahoe node's {@code my_nodeid} file). */
  public static ServerId parse(String base32) {
    return new ServerId(Base32.decodeExact(base32, LENGTH, "server id"));
  }

  /** A copy of the 20 bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** 32 lowercase base32 characters. */
  public String toBase32() {
    return Base32.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(ServerId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return toBase32();
  }
}
