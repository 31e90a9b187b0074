package org.lafsrepair.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates {@code ../shared} (the Tahoe share corpus, cap vectors and zfec vectors) for tests.
 * Order: system property {@code lafsrepair.shared.dir}, environment {@code LAFSREPAIR_SHARED},
 * then {@code shared/} beside any parent of the working directory. Missing data fails the test
 * loudly: these vectors are the project's ground truth and are never silently skipped.
 */
public final class SharedVectors {
  private static volatile Path root;

  private SharedVectors() {}

  /** The {@code shared/} directory. */
  public static Path root() {
    Path r = root;
    if (r == null) {
      r = find();
      root = r;
    }
    return r;
  }

  /** {@code shared/vectors/tahoe}. */
  public static Path tahoe() {
    return root().resolve("vectors/tahoe");
  }

  /** {@code shared/vectors/zfec}. */
  public static Path zfec() {
    return root().resolve("vectors/zfec");
  }

  /** Reads a file under {@code shared/} as bytes. */
  public static byte[] read(String relative) {
    try {
      return Files.readAllBytes(root().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path find() {
    String prop = System.getProperty("lafsrepair.shared.dir");
    if (prop != null && isShared(Paths.get(prop))) {
      return Paths.get(prop).toAbsolutePath().normalize();
    }
    String env = System.getenv("LAFSREPAIR_SHARED");
    if (env != null && isShared(Paths.get(env))) {
      return Paths.get(env).toAbsolutePath().normalize();
    }
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (isShared(p.resolve("shared"))) {
        return p.resolve("shared").normalize();
      }
    }
    throw new IllegalStateException(
        "cannot find shared/vectors (set -Dlafsrepair.shared.dir or LAFSREPAIR_SHARED)");
  }

  private static boolean isShared(Path p) {
    return Files.isRegularFile(p.resolve("vectors/tahoe/manifest.json"));
  }
}
