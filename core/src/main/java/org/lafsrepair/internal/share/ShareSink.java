package org.lafsrepair.internal.share;

import java.nio.ByteBuffer;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.StorageException;

/**
 * Where encoders write a share's bytes (at arbitrary offsets, each byte once). An {@link
 * ImmutableUpload} is one; tests use byte arrays.
 */
@FunctionalInterface
public interface ShareSink {
  void write(long offset, ByteBuffer data) throws StorageException;

  /** A sink writing into an upload (commit stays with the caller). */
  static ShareSink of(ImmutableUpload upload) {
    return upload::write;
  }
}
