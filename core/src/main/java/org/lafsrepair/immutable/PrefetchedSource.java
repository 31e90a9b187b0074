package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.StorageException;

/**
 * A share source that answers reads inside one prefetched range from memory: the metadata at the
 * end of a share (trees, chain, UEB) is read in one request instead of one per region, which
 * matters on remote backends. Reads outside the range go to the underlying source. If the
 * prefetch came back short, the share ends there, and reads past it are short too.
 */
final class PrefetchedSource implements ShareSource {
  private final ShareSource inner;
  private final long start;
  private final ByteBuffer data;
  private final boolean hitEnd;

  private PrefetchedSource(ShareSource inner, long start, ByteBuffer data, boolean hitEnd) {
    this.inner = inner;
    this.start = start;
    this.data = data;
    this.hitEnd = hitEnd;
  }

  /** Reads {@code [start, start+length)} once and serves it from memory afterwards. */
  static PrefetchedSource of(ShareSource inner, long start, int length) throws StorageException {
    ByteBuffer b = inner.read(start, length);
    int n = Math.min(b.remaining(), length);
    ByteBuffer copy = ByteBuffer.allocate(n);
    copy.put(b.duplicate().limit(b.position() + n));
    copy.flip();
    return new PrefetchedSource(inner, start, copy.asReadOnlyBuffer(), n < length);
  }

  ShareSource inner() {
    return inner;
  }

  /** Whether the prefetch reached the end of the share (it holds everything from its start). */
  boolean hitEnd() {
    return hitEnd;
  }

  @Override
  public ByteBuffer read(long offset, int length) throws StorageException {
    long end = start + data.remaining();
    if (offset >= start && (offset + length <= end || (hitEnd && offset <= end))) {
      int from = (int) (offset - start);
      int n = (int) Math.min(length, end - offset);
      return data.slice(from, n);
    }
    if (hitEnd && offset > end) {
      return ByteBuffer.allocate(0);
    }
    return inner.read(offset, length);
  }
}
