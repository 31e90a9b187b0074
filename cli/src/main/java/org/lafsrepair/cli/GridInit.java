package org.lafsrepair.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Creates the grid directory layout of docs/cli.md (until backend-disk's own helper is used). */
final class GridInit {
  private GridInit() {}

  static boolean hasServers(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return false;
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.anyMatch(p -> Files.isDirectory(p.resolve("storage")));
    }
  }

  static void init(Path root, int servers) throws IOException {
    for (int i = 0; i < servers; i++) {
      Files.createDirectories(root.resolve(String.format("server%02d", i)).resolve("storage/shares"));
    }
  }
}
