package org.lafsrepair.backend.disk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.StorageException;

/**
 * The local grid directory of docs/cli.md: each immediate subdirectory holding {@code storage/}
 * is one storage server laid out as a Tahoe node's base directory, and {@code grid.properties}
 * may hold upload defaults ({@code k}, {@code n}, {@code happy}, {@code segment-size}). This class
 * creates such directories and opens their servers; {@code org.lafsrepair.grid.Grid} in core
 * builds the client-side view (permuted order, secrets, defaults) over any servers.
 */
public final class DiskGrid {
  /** Name of the defaults file inside a grid directory. */
  public static final String PROPERTIES_FILE = "grid.properties";
  /** Keys {@code grid.properties} may hold. */
  public static final Set<String> PROPERTY_KEYS = Set.of("k", "n", "happy", "segment-size");
  /** Most servers {@link #init} makes (a local grid, not a data centre). */
  public static final int MAX_SERVERS = 1000;

  private DiskGrid() {}

  /**
   * Creates a grid of {@code servers} empty servers named {@code server00}, {@code server01}, ...
   * under {@code dir} (created if needed), each with {@code storage/} and a fresh {@code
   * my_nodeid}. Writes {@code grid.properties} when {@code defaults} is not empty.
   *
   * @return the server directories, in order
   * @throws InvalidRequestException if {@code dir} already holds servers or the values are bad
   */
  public static List<Path> init(Path dir, int servers, Map<String, Integer> defaults) throws StorageException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(defaults, "defaults");
    if (servers < 1 || servers > MAX_SERVERS) {
      throw new InvalidRequestException("a grid needs 1.." + MAX_SERVERS + " servers, got " + servers);
    }
    validateDefaults(defaults);
    if (Files.isDirectory(dir)) {
      List<Path> existing = serverDirectories(dir);
      if (!existing.isEmpty()) {
        throw new InvalidRequestException(dir + " is already a grid with " + existing.size() + " servers");
      }
    } else if (Files.exists(dir)) {
      throw new InvalidRequestException(dir + " exists and is not a directory");
    }
    int width = Math.max(2, Integer.toString(servers - 1).length());
    List<Path> made = new ArrayList<>(servers);
    try {
      Files.createDirectories(dir);
      if (!defaults.isEmpty()) {
        writeProperties(dir, defaults);
      }
      for (int i = 0; i < servers; i++) {
        Path p = dir.resolve(String.format("server%0" + width + "d", i));
        try (DiskStorageServer s = DiskStorageServer.open(p)) {
          made.add(s.directory());
        }
      }
      DiskIo.fsyncDirectory(dir);
    } catch (IOException e) {
      throw DiskIo.map(e, "creating grid " + dir);
    }
    return made;
  }

  /** Creates a grid with no {@code grid.properties}. */
  public static List<Path> init(Path dir, int servers) throws StorageException {
    return init(dir, servers, Map.of());
  }

  /** The server directories of a grid (immediate subdirectories holding {@code storage/}), by name. */
  public static List<Path> serverDirectories(Path dir) throws StorageException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p.resolve("storage"))) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      throw DiskIo.map(e, "listing grid " + dir);
    }
    out.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return out;
  }

  /**
   * Opens every server of a grid, in directory-name order. On failure the servers opened so far
   * are closed.
   *
   * @throws InvalidRequestException if {@code dir} holds no server
   */
  public static List<DiskStorageServer> open(Path dir) throws StorageException {
    return open(dir, Locality.LOCAL);
  }

  /**
   * As {@link #open(Path)}, every server reporting {@code locality}: {@link Locality#REMOTE} for a
   * grid on a network file system that can hang (see {@link DiskStorageServer.Builder#locality}).
   */
  public static List<DiskStorageServer> open(Path dir, Locality locality) throws StorageException {
    Objects.requireNonNull(locality, "locality");
    if (!Files.isDirectory(dir)) {
      throw new InvalidRequestException("grid directory does not exist: " + dir);
    }
    List<Path> dirs = serverDirectories(dir);
    if (dirs.isEmpty()) {
      throw new InvalidRequestException("no storage servers in " + dir + " (run 'grid init')");
    }
    List<DiskStorageServer> opened = new ArrayList<>(dirs.size());
    try {
      for (Path p : dirs) {
        opened.add(DiskStorageServer.builder(p).locality(locality).build());
      }
    } catch (StorageException | RuntimeException e) {
      for (DiskStorageServer s : opened) {
        s.close();
      }
      throw e;
    }
    return opened;
  }

  /**
   * The validated defaults of {@code grid.properties} (only the keys present; empty when the file
   * is absent).
   *
   * @throws InvalidRequestException for non-numbers or impossible values (unknown keys are ignored)
   */
  public static Map<String, Integer> defaults(Path dir) throws StorageException {
    Path file = dir.resolve(PROPERTIES_FILE);
    if (!Files.exists(file)) {
      return Map.of();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidRequestException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (!PROPERTY_KEYS.contains(key)) {
        // Other tools may keep their own settings here; only ours are checked.
        continue;
      }
      try {
        out.put(key, Integer.parseInt(p.getProperty(key).trim()));
      } catch (NumberFormatException e) {
        throw new InvalidRequestException(file + ": '" + key + "' is not a number: " + p.getProperty(key).trim());
      }
    }
    try {
      validateDefaults(out);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(file + ": " + e.getMessage());
    }
    return Map.copyOf(out);
  }

  private static void validateDefaults(Map<String, Integer> d) throws InvalidRequestException {
    for (Map.Entry<String, Integer> e : d.entrySet()) {
      if (!PROPERTY_KEYS.contains(e.getKey())) {
        throw new InvalidRequestException("unknown grid default '" + e.getKey() + "'");
      }
      if (e.getValue() == null || e.getValue() < 1) {
        throw new InvalidRequestException("'" + e.getKey() + "' must be a positive number");
      }
    }
    int k = d.getOrDefault("k", 3);
    int n = d.getOrDefault("n", Math.max(10, k));
    int happy = d.getOrDefault("happy", Math.min(7, n));
    if (k > n || n > 256) {
      throw new InvalidRequestException("need 1 <= k <= n <= 256, got k=" + k + " n=" + n);
    }
    if (happy > n) {
      throw new InvalidRequestException("need happy <= n, got happy=" + happy + " n=" + n);
    }
  }

  private static void writeProperties(Path dir, Map<String, Integer> defaults) throws IOException {
    Path file = dir.resolve(PROPERTIES_FILE);
    Path tmp = dir.resolve("." + PROPERTIES_FILE + ".tmp");
    StringBuilder sb = new StringBuilder("# lafs-repair grid defaults (see docs/cli.md)\n");
    for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(defaults).entrySet()) {
      sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
      out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
