package org.lafsrepair.spi;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds {@link StorageServerProvider}s on the class path by scheme. */
public final class StorageServers {
  private StorageServers() {}

  /** All providers visible to {@code loader}, keyed by scheme. */
  public static Map<String, StorageServerProvider> providers(ClassLoader loader) {
    Map<String, StorageServerProvider> out = new TreeMap<>();
    for (StorageServerProvider p : ServiceLoader.load(StorageServerProvider.class, loader)) {
      out.putIfAbsent(p.scheme().toLowerCase(Locale.ROOT), p);
    }
    return out;
  }

  /** The provider for {@code scheme}, if one is on the class path. */
  public static Optional<StorageServerProvider> provider(String scheme) {
    return Optional.ofNullable(
        providers(StorageServers.class.getClassLoader()).get(scheme.toLowerCase(Locale.ROOT)));
  }

  /**
   * Opens {@code uri} with the provider for its scheme.
   *
   * @throws InvalidRequestException if no provider handles the scheme
   */
  public static StorageServer open(URI uri) throws StorageException {
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw new InvalidRequestException("storage URI has no scheme: " + uri);
    }
    StorageServerProvider p =
        provider(scheme)
            .orElseThrow(
                () -> new InvalidRequestException("no storage provider for scheme '" + scheme + "'"));
    return p.open(uri);
  }
}
