package org.lafsrepair.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.lafsrepair.spi.StorageIndex;

/** Helpers to build queue directories and look inside them. */
final class QueueFixtures {
  private QueueFixtures() {}

  /** A distinct, valid storage index for {@code n}. */
  static String si(int n) {
    byte[] b = new byte[16];
    b[0] = (byte) (n >>> 24);
    b[1] = (byte) (n >>> 16);
    b[2] = (byte) (n >>> 8);
    b[3] = (byte) n;
    b[15] = 7;
    return StorageIndex.of(b).toBase32();
  }

  /** Writes a work file the way writers must: dot-name, then rename. */
  static Path writeWorkFile(Path dir, String name, String... lines) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + name);
    Files.writeString(tmp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static List<String> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Work files left in the queue (not dot-files, not failed/). */
  static List<String> workFiles(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (String n : list(dir)) {
      if (!n.startsWith(".") && !n.equals("failed")) {
        out.add(n);
      }
    }
    return out;
  }

  /** Asserts that no per-file state is left: no journals, claims or trash. */
  static void assertStateClean(Path dir) throws IOException {
    Path state = dir.resolve(".state");
    for (String sub : List.of("journal", "claims", "trash")) {
      List<String> left = list(state.resolve(sub)).stream().filter(n -> !n.startsWith("."))
          .toList();
      assertTrue(left.isEmpty(), sub + " not clean: " + left);
    }
  }
}
