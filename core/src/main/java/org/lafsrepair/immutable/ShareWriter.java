package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.spi.StorageException;

/** Writes the non-block regions of an immutable share exactly as Tahoe lays them out. */
final class ShareWriter {
  private static final int ZERO_CHUNK = 64 * 1024;
  private static final byte[] ZEROS = new byte[ZERO_CHUNK];

  private ShareWriter() {}

  /**
   * Writes header, the zero-filled plaintext tree, the crypttext tree, the block tree, the chain,
   * the UEB length and the UEB. Every byte of the share outside the blocks is written, so a sink
   * over a fresh file ends up byte-identical to Tahoe's share.
   */
  static void writeMetadata(
      ShareSink sink,
      ShareLayout layout,
      byte[] crypttextTree,
      byte[] blockTree,
      byte[] chain,
      UriExtension ueb)
      throws StorageException {
    write(sink, 0, layout.headerBytes());
    long ptLen = layout.crypttextTreeOffset() - layout.plaintextTreeOffset();
    for (long done = 0; done < ptLen; done += ZERO_CHUNK) {
      int n = (int) Math.min(ZERO_CHUNK, ptLen - done);
      sink.write(layout.plaintextTreeOffset() + done, ByteBuffer.wrap(ZEROS, 0, n).asReadOnlyBuffer());
    }
    write(sink, layout.crypttextTreeOffset(), crypttextTree);
    write(sink, layout.blockHashesOffset(), blockTree);
    write(sink, layout.shareHashesOffset(), chain);
    write(sink, layout.uriExtensionOffset(), layout.uebLengthBytes(ueb.length()));
    write(sink, layout.uebOffset(), ueb.toBytes());
  }

  static void write(ShareSink sink, long offset, byte[] bytes) throws StorageException {
    sink.write(offset, ByteBuffer.wrap(bytes).asReadOnlyBuffer());
  }
}
