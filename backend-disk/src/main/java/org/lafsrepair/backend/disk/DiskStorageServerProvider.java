package org.lafsrepair.backend.disk;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.Locale;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServerProvider;

/**
 * The {@code file} scheme: {@code file:///path/to/serverdir}, where the directory holds (or will
 * hold) {@code storage/} and {@code my_nodeid} like a Tahoe storage node's base directory. The
 * query {@code ?locality=remote} marks a directory on a network file system that can hang (see
 * {@link DiskStorageServer.Builder#locality}); {@code ?locality=local} is the default.
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
    Locality locality = locality(uri);
    Path dir;
    try {
      dir = Path.of(new URI(uri.getScheme(), uri.getAuthority(), uri.getPath(), null, uri.getFragment()));
    } catch (IllegalArgumentException | FileSystemNotFoundException | URISyntaxException e) {
      throw new InvalidRequestException("bad file: URI " + uri + ": " + e.getMessage(), e);
    }
    return DiskStorageServer.builder(dir).locality(locality).build();
  }

  private static Locality locality(URI uri) throws InvalidRequestException {
    String query = uri.getQuery();
    Locality out = Locality.LOCAL;
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String param : query.split("&")) {
      int eq = param.indexOf('=');
      String key = eq < 0 ? param : param.substring(0, eq);
      String value = eq < 0 ? "" : param.substring(eq + 1);
      if (!key.equals("locality")) {
        throw new InvalidRequestException("bad file: URI " + uri + ": unknown parameter " + key);
      }
      try {
        out = Locality.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("bad file: URI " + uri + ": locality is local or remote, not " + value, e);
      }
    }
    return out;
  }
}
