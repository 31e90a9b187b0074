package org.lafsrepair.spi;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A publish-authority message: one complete mutable share (its bytes from offset 0 to its EOF
 * offset) for a storage index and share number. It needs no write enabler: the share's own
 * signature, checked against the key bound to the slot, is the authority (docs/publish-authority.md).
 */
public final class MutableSharePublication {
  private final StorageIndex si;
  private final ShareNumber shnum;
  private final byte[] share;

  public MutableSharePublication(StorageIndex si, ShareNumber shnum, byte[] share) {
    this.si = Objects.requireNonNull(si, "si");
    this.shnum = Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(share, "share");
    if (share.length == 0) {
      throw new IllegalArgumentException("empty share");
    }
    this.share = share.clone();
  }

  public StorageIndex storageIndex() {
    return si;
  }

  public ShareNumber shareNumber() {
    return shnum;
  }

  /** A read-only view of the share bytes. */
  public ByteBuffer share() {
    return ByteBuffer.wrap(share).asReadOnlyBuffer();
  }

  public int length() {
    return share.length;
  }

  @Override
  public String toString() {
    return "MutableSharePublication[" + si + " " + shnum + ", " + share.length + " bytes]";
  }
}
