package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import java.util.BitSet;
import org.lafsrepair.internal.share.ShareSink;

/** A share sink over a fixed-size byte array that insists every byte is written exactly once. */
final class MemorySink implements ShareSink {
  private final byte[] data;
  private final BitSet written = new BitSet();

  MemorySink(long length) {
    this.data = new byte[Math.toIntExact(length)];
  }

  @Override
  public void write(long offset, ByteBuffer src) {
    int len = src.remaining();
    if (offset < 0 || offset + len > data.length) {
      throw new AssertionError("write [" + offset + ", " + (offset + len) + ") outside share");
    }
    int o = (int) offset;
    if (written.get(o, o + len).cardinality() != 0) {
      throw new AssertionError("bytes at " + offset + " written twice");
    }
    src.get(data, o, len);
    written.set(o, o + len);
  }

  boolean complete() {
    return written.cardinality() == data.length;
  }

  byte[] bytes() {
    return data.clone();
  }
}
