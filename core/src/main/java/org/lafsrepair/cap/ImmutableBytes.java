package org.lafsrepair.cap;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import org.lafsrepair.spi.Base32;

/**
 * An immutable byte string (keys, hashes, literal file data inside caps). The bytes are copied in
 * and out, so callers can never change a cap through an array they hold. Equality is by content
 * and constant-time, since these are often secrets.
 */
public final class ImmutableBytes {
  private static final ImmutableBytes EMPTY = new ImmutableBytes(new byte[0]);

  private final byte[] bytes;

  private ImmutableBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}. */
  public static ImmutableBytes copyOf(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new ImmutableBytes(bytes.clone());
  }

  /** Decodes strict Tahoe base32 (any length). */
  public static ImmutableBytes fromBase32(String base32) {
    return wrap(Base32.decode(base32));
  }

  /** Takes ownership of an array nobody else holds. */
  static ImmutableBytes wrap(byte[] owned) {
    return owned.length == 0 ? EMPTY : new ImmutableBytes(owned);
  }

  /** Number of bytes. */
  public int length() {
    return bytes.length;
  }

  /** The byte at {@code index}. */
  public byte byteAt(int index) {
    return bytes[index];
  }

  /** A fresh copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** Tahoe base32: lowercase, unpadded. */
  public String toBase32() {
    return Base32.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImmutableBytes other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The base32 form (caps are printable secrets anyway; this adds nothing they do not show). */
  @Override
  public String toString() {
    return toBase32();
  }
}
