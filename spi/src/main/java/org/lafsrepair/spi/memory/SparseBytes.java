package org.lafsrepair.spi.memory;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A growable byte sequence addressed by {@code long}, stored in fixed pages so a share with a
 * hole of gigabytes costs only the pages actually written. Unwritten bytes read as zeros, like a
 * sparse file. Not thread-safe: the server guards it.
 */
final class SparseBytes {
  private static final int PAGE_BITS = 16;
  private static final int PAGE_SIZE = 1 << PAGE_BITS;

  private final Map<Long, byte[]> pages = new HashMap<>();
  private long length;

  long length() {
    return length;
  }

  /** Bytes of pages actually held, for space accounting. */
  long footprint() {
    return (long) pages.size() * PAGE_SIZE;
  }

  /** Writes all remaining bytes of {@code src} at {@code offset}, growing the length if needed. */
  void write(long offset, ByteBuffer src) {
    ByteBuffer b = src.duplicate();
    long pos = offset;
    while (b.hasRemaining()) {
      long page = pos >>> PAGE_BITS;
      int in = (int) (pos & (PAGE_SIZE - 1));
      int n = Math.min(PAGE_SIZE - in, b.remaining());
      byte[] p = pages.computeIfAbsent(page, k -> new byte[PAGE_SIZE]);
      b.get(p, in, n);
      pos += n;
    }
    length = Math.max(length, pos);
  }

  /** Up to {@code len} bytes at {@code offset}, truncated at the length. */
  byte[] read(long offset, int len) {
    if (offset >= length) {
      return new byte[0];
    }
    int n = (int) Math.min(len, length - offset);
    byte[] out = new byte[n];
    int done = 0;
    while (done < n) {
      long pos = offset + done;
      int in = (int) (pos & (PAGE_SIZE - 1));
      int chunk = Math.min(PAGE_SIZE - in, n - done);
      byte[] p = pages.get(pos >>> PAGE_BITS);
      if (p != null) {
        System.arraycopy(p, in, out, done, chunk);
      }
      done += chunk;
    }
    return out;
  }

  /**
   * Sets the length. Shrinking zeroes the dropped bytes so that a later extension reads zeros
   * there, as a gap must.
   */
  void setLength(long newLength) {
    if (newLength < length) {
      long pos = newLength;
      while (pos < length) {
        long page = pos >>> PAGE_BITS;
        int in = (int) (pos & (PAGE_SIZE - 1));
        byte[] p = pages.get(page);
        if (in == 0) {
          pages.remove(page);
        } else if (p != null) {
          java.util.Arrays.fill(p, in, PAGE_SIZE, (byte) 0);
        }
        pos = (page + 1) << PAGE_BITS;
      }
    }
    length = newLength;
  }

  /** XORs one byte in place (fault injection: bit rot). No-op past the end. */
  void flip(long offset, int mask) {
    if (offset < 0 || offset >= length) {
      return;
    }
    byte[] p = pages.computeIfAbsent(offset >>> PAGE_BITS, k -> new byte[PAGE_SIZE]);
    int in = (int) (offset & (PAGE_SIZE - 1));
    p[in] = (byte) (p[in] ^ mask);
  }

  SparseBytes copy() {
    SparseBytes c = new SparseBytes();
    for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
      c.pages.put(e.getKey(), e.getValue().clone());
    }
    c.length = length;
    return c;
  }
}
