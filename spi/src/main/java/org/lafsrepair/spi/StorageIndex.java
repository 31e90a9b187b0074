package org.lafsrepair.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * The 16-byte storage index under which a file's shares are stored. Rendered as 26 characters of
 * Tahoe's lowercase, unpadded RFC 4648 base32. Immutable and thread-safe.
 */
public final class StorageIndex implements Comparable<StorageIndex> {
  /** Length in bytes. */
  public static final int LENGTH = 16;

  private final byte[] bytes;

  private StorageIndex(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps a copy of {@code bytes}, which must be exactly 16 bytes long. */
  public static StorageIndex of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "storage index must be " + LENGTH + " bytes, got " + bytes.length);
    }
    return new StorageIndex(bytes.clone());
  }

  /**
   * Parses the 26-character base32 form. Rejects wrong lengths, characters outside Tahoe's
   * alphabet, upper case, and non-zero pad bits, with an {@link IllegalArgumentException} whose
   * message says what is wrong.
   */
  public static StorageIndex parse(String base32) {
    return new StorageIndex(Base32.decodeExact(base32, LENGTH, "storage index"));
  }

  /** A copy of the 16 bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Base32 as Tahoe writes it: 26 lowercase characters, no padding. */
  public String toBase32() {
    return Base32.encode(bytes);
  }

  /** The two-character directory prefix Tahoe uses ({@code shares/<prefix>/<si>}). */
  public String prefix() {
    return toBase32().substring(0, 2);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StorageIndex other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(StorageIndex o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return toBase32();
  }
}
