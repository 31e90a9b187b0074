package org.lafsrepair.spi.memory;

import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.tck.StorageServerTck;

/**
 * The TCK against a memory server that, like the S3 backend, leaves the check for an existing
 * share to the commit: the TCK must accept that point of detection and still catch an overwrite.
 */
class MemoryStorageServerConflictsAtCommitTckTest extends StorageServerTck {
  @Override
  protected StorageServer newServer() {
    return MemoryStorageServer.builder().conflictsAtCommit(true).build();
  }
}
