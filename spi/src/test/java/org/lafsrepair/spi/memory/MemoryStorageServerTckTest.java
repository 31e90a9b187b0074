package org.lafsrepair.spi.memory;

import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.tck.StorageServerTck;

class MemoryStorageServerTckTest extends StorageServerTck {
  @Override
  protected StorageServer newServer() {
    return MemoryStorageServer.create();
  }
}
