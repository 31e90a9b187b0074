package org.lafsrepair.spi;

import java.nio.ByteBuffer;
import java.util.Objects;

/** Bytes to write at an offset of a mutable share's data; gaps are zero-filled. */
public final class WriteVector {
  private final long offset;
  private final byte[] data;

  public WriteVector(long offset, byte[] data) {
    if (offset < 0) {
      throw new IllegalArgumentException("write offset must be >= 0, got " + offset);
    }
    this.offset = offset;
    this.data = Objects.requireNonNull(data, "data").clone();
  }

  public long offset() {
    return offset;
  }

  public int length() {
    return data.length;
  }

  /** A read-only view of the data. */
  public ByteBuffer data() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer();
  }

  @Override
  public String toString() {
    return "WriteVector[offset=" + offset + ", length=" + data.length + "]";
  }
}
