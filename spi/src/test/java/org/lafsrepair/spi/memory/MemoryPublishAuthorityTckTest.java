package org.lafsrepair.spi.memory;

import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.tck.PublishAuthorityTck;

class MemoryPublishAuthorityTckTest extends PublishAuthorityTck {
  @Override
  protected StorageServer newServer() {
    return MemoryStorageServer.create();
  }
}
