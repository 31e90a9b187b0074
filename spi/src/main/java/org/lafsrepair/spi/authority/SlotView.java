package org.lafsrepair.spi.authority;

import java.nio.ByteBuffer;
import java.util.Set;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;

/** A backend's view of one mutable slot (all shares of one SI), read under the backend's lock. */
public interface SlotView {
  /** The mutable shares present. */
  Set<ShareNumber> shares() throws StorageException;

  /** Up to {@code length} bytes of a share's data at {@code offset}. */
  ByteBuffer read(ShareNumber shnum, long offset, int length) throws StorageException;

  /** A share's data length. */
  long length(ShareNumber shnum) throws StorageException;
}
