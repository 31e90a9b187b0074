package org.lafsrepair.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A test-and-write condition (Tahoe's {@code (offset, length, "eq", specimen)}): the share's bytes
 * at {@code [offset, offset + length)}, truncated at the end of its data (a missing share reads
 * as empty), must equal {@code specimen}. {@code (0, 1, "")} therefore means "no share yet".
 */
public final class TestVector {
  private final long offset;
  private final int length;
  private final byte[] specimen;

  public TestVector(long offset, int length, byte[] specimen) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("test vector offset and length must be >= 0");
    }
    this.offset = offset;
    this.length = length;
    this.specimen = Objects.requireNonNull(specimen, "specimen").clone();
  }

  /** The condition "this share does not exist (or is empty)". */
  public static TestVector mustBeEmpty() {
    return new TestVector(0, 1, new byte[0]);
  }

  /** Requires the first {@code expected.length} bytes to equal {@code expected}. */
  public static TestVector prefixEquals(byte[] expected) {
    return new TestVector(0, expected.length, expected);
  }

  public long offset() {
    return offset;
  }

  public int length() {
    return length;
  }

  public byte[] specimen() {
    return specimen.clone();
  }

  /** Whether {@code actual} (the truncated read of this vector's range) satisfies the test. */
  public boolean matches(byte[] actual) {
    return Arrays.equals(specimen, actual);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TestVector t
        && t.offset == offset
        && t.length == length
        && Arrays.equals(t.specimen, specimen);
  }

  @Override
  public int hashCode() {
    return Objects.hash(offset, length, Arrays.hashCode(specimen));
  }

  @Override
  public String toString() {
    return "TestVector[offset=" + offset + ", length=" + length + ", specimen=" + specimen.length
        + " bytes]";
  }
}
