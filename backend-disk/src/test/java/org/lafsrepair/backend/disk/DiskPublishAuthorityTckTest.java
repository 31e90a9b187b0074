package org.lafsrepair.backend.disk;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.tck.PublishAuthorityTck;

class DiskPublishAuthorityTckTest extends PublishAuthorityTck {
  @TempDir Path temp;

  @Override
  protected StorageServer newServer() throws Exception {
    return DiskStorageServer.open(Files.createTempDirectory(temp, "server"));
  }
}
