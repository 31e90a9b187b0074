package org.lafsrepair.spi.memory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServerProvider;

/**
 * The {@code memory} scheme: {@code memory:NAME} (or {@code memory://NAME}) opens the in-memory
 * server called NAME in this JVM, creating it on first use, so several components configured with
 * the same URI share one server. Its id is derived from the name, so it is stable across runs.
 */
public final class MemoryStorageServerProvider implements StorageServerProvider {
  private static final ConcurrentMap<String, MemoryStorageServer> SERVERS = new ConcurrentHashMap<>();

  @Override
  public String scheme() {
    return "memory";
  }

  @Override
  public StorageServer open(URI uri) throws StorageException {
    return server(nameOf(uri));
  }

  /** The named server of this JVM, created on first use. */
  public static MemoryStorageServer server(String name) {
    return SERVERS.computeIfAbsent(
        name,
        n -> MemoryStorageServer.builder().id(idFor(n)).location("memory:" + n).build());
  }

  /** Forgets a named server (its shares are dropped once no one holds it). */
  public static void forget(String name) {
    SERVERS.remove(name);
  }

  static String nameOf(URI uri) throws InvalidRequestException {
    if (!"memory".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidRequestException("not a memory: URI: " + uri);
    }
    String name;
    if (uri.isOpaque()) {
      name = uri.getSchemeSpecificPart();
    } else {
      name = (uri.getAuthority() == null ? "" : uri.getAuthority())
          + (uri.getPath() == null ? "" : uri.getPath());
    }
    while (name.startsWith("/")) {
      name = name.substring(1);
    }
    if (name.isEmpty()) {
      throw new InvalidRequestException("memory: URI names no server: " + uri);
    }
    return name;
  }

  private static ServerId idFor(String name) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(("lafs-repair memory server:" + name).getBytes(StandardCharsets.UTF_8));
      return ServerId.of(Arrays.copyOf(h, ServerId.LENGTH));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
