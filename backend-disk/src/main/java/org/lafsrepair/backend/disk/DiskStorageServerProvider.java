package org.lafsrepair.backend.disk;

import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServerProvider;

/**
 * The {@code file} scheme: {@code file:///path/to/serverdir}, where the directory holds (or will
 * hold) {@code storage/} and {@code my_nodeid} like a Tahoe storage node's base directory.
 */
public final class DiskStorageServerProvider implements StorageServerProvider {
  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public StorageServer open(URI uri) throws StorageException {
    if (!"file".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidRequestException("not a file: URI: " + uri);
    }
    Path dir;
    try {
      dir = Path.of(uri);
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      throw new InvalidRequestException("bad file: URI " + uri + ": " + e.getMessage(), e);
    }
    return DiskStorageServer.open(dir);
  }
}
