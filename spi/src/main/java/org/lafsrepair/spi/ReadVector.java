package org.lafsrepair.spi;

/** One ranged read of share data: {@code length} bytes at {@code offset}, truncated at the end. */
public record ReadVector(long offset, int length) {
  public ReadVector {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset);
    }
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0, got " + length);
    }
  }
}
