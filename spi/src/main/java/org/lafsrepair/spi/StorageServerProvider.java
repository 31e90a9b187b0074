package org.lafsrepair.spi;

import java.net.URI;

/**
 * Creates {@link StorageServer}s for one URI scheme ({@code file}, {@code s3}, {@code memory},
 * ...). Implementations are found with {@link java.util.ServiceLoader} (list the class in {@code
 * META-INF/services/org.lafsrepair.spi.StorageServerProvider}); hosts may also pass instances
 * directly. Implementations must be thread-safe and have a public no-argument constructor.
 */
public interface StorageServerProvider {
  /** The URI scheme handled, lowercase. */
  String scheme();

  /** Opens the server at {@code uri}. */
  StorageServer open(URI uri) throws StorageException;
}
