package org.lafsrepair.internal.share;

import java.nio.ByteBuffer;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * Ranged, untrusted access to one share's data, wherever it lives. Format code (verifiers,
 * decoders) reads through this so it can be tested on byte arrays and run against any server.
 */
@FunctionalInterface
public interface ShareSource {
  /**
   * Up to {@code length} bytes at {@code offset}; shorter (possibly empty) at the end of the data.
   * Callers must treat a short read as the share being truncated, and bound {@code length} by
   * what the format allows before calling.
   */
  ByteBuffer read(long offset, int length) throws StorageException;

  /** A source over a server's share. */
  static ShareSource of(StorageServer server, StorageIndex si, ShareNumber shnum) {
    return (offset, length) -> server.read(si, shnum, offset, length);
  }

  /** A source over bytes in memory (tests, caches). */
  static ShareSource of(byte[] data) {
    byte[] copy = data.clone();
    return (offset, length) -> {
      if (offset < 0 || length < 0) {
        throw new IllegalArgumentException("negative offset or length");
      }
      if (offset >= copy.length) {
        return ByteBuffer.allocate(0);
      }
      int n = (int) Math.min(length, copy.length - offset);
      return ByteBuffer.wrap(copy, (int) offset, n).slice().asReadOnlyBuffer();
    };
  }
}
