package org.lafsrepair.spi;

import java.util.Objects;

/**
 * What a server says it holds: a share number, its container kind, and the length of its share
 * data (the bytes readable through {@link StorageServer#read}, not the container file). The
 * length is the server's claim and is untrusted by readers.
 */
public record ShareInfo(ShareNumber shareNumber, ShareKind kind, long dataLength) {
  public ShareInfo {
    Objects.requireNonNull(shareNumber, "shareNumber");
    Objects.requireNonNull(kind, "kind");
    if (dataLength < 0) {
      throw new IllegalArgumentException("dataLength must be >= 0, got " + dataLength);
    }
  }
}
