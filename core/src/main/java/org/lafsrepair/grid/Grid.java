package org.lafsrepair.grid;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of storage servers plus the defaults for encoding new files and the client secrets
 * (convergence, lease). Immutable and thread-safe; closing it closes the servers it opened.
 *
 * <p>Build one with {@link #builder()} from servers in code, or open the embedded default, a
 * local grid directory, with {@link #localDirectory(Path)}.
 */
public final class Grid implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Grid.class);
  /** Name of the grid-wide defaults file inside a grid directory. */
  public static final String PROPERTIES_FILE = "grid.properties";
  /** Name of the convergence secret file (base32 of 32 bytes, as Tahoe's private/convergence). */
  public static final String CONVERGENCE_FILE = "convergence";
  /** Name of the client lease secret file (base32 of 32 bytes, as Tahoe's private/secret). */
  public static final String LEASE_SECRET_FILE = "secret";

  private final List<StorageServer> servers;
  private final EncodingParameters defaults;
  private final byte[] convergenceSecret;
  private final byte[] leaseSecret;
  private final Duration serverTimeout;
  private final boolean ownsServers;

  private Grid(Builder b) {
    this.servers = List.copyOf(b.servers);
    this.defaults = b.defaults;
    this.convergenceSecret = b.convergenceSecret.clone();
    this.leaseSecret = b.leaseSecret.clone();
    this.serverTimeout = b.serverTimeout;
    this.ownsServers = b.ownsServers;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the grid directory of docs/cli.md: each immediate subdirectory holding {@code storage/}
   * is a server, opened through the {@code file} {@link org.lafsrepair.spi.StorageServerProvider}
   * (backend-disk must be on the class path); {@code server.<name>=<uri>} lines of {@code
   * grid.properties} add servers of any other scheme ({@code s3:}, {@code memory:}). Reads {@code
   * grid.properties} defaults (k, n, happy, segment-size) and creates the convergence and lease
   * secrets on first use. {@code locality=remote} there opens the subdirectory servers as {@link
   * Locality#REMOTE}, for a grid directory on a network file system that can hang.
   *
   * @throws GridConfigException if the directory is missing, has no servers, or has bad settings
   */
  public static Grid localDirectory(Path dir) throws GridConfigException, StorageException {
    if (!Files.isDirectory(dir)) {
      throw new GridConfigException("grid directory does not exist: " + dir);
    }
    List<Path> serverDirs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p.resolve("storage"))) {
          serverDirs.add(p);
        }
      }
    } catch (IOException e) {
      throw new GridConfigException("cannot list grid directory " + dir + ": " + e.getMessage());
    }
    serverDirs.sort(Comparator.comparing(p -> p.getFileName().toString()));
    Path propertiesFile = dir.resolve(PROPERTIES_FILE);
    Properties properties = loadProperties(propertiesFile);
    List<URI> remote = remoteServers(properties, propertiesFile);
    if (serverDirs.isEmpty() && remote.isEmpty()) {
      throw new GridConfigException("no storage servers in " + dir + " (run 'grid init')");
    }
    Locality locality = readLocality(properties, propertiesFile);
    Builder b = builder().defaults(readProperties(properties, propertiesFile));
    b.convergenceSecret(readOrCreateSecret(dir.resolve(CONVERGENCE_FILE)));
    b.leaseSecret(readOrCreateSecret(dir.resolve(LEASE_SECRET_FILE)));
    List<StorageServer> opened = new ArrayList<>();
    try {
      for (Path p : serverDirs) {
        URI uri = p.toUri();
        opened.add(StorageServers.open(locality == Locality.LOCAL ? uri : URI.create(uri + "?locality=remote")));
      }
      for (URI uri : remote) {
        opened.add(StorageServers.open(uri));
      }
    } catch (StorageException | RuntimeException e) {
      for (StorageServer s : opened) {
        closeQuietly(s);
      }
      throw e;
    }
    b.ownsServers = true;
    return b.servers(opened).build();
  }

  /**
   * Servers beyond the local directories: {@code server.<name>=<uri>} lines of {@code
   * grid.properties} (for example {@code server.s3a=s3://bucket/prefix?region=eu-west-1}),
   * opened through the provider for the URI's scheme, in name order.
   */
  static List<URI> remoteServers(Properties p, Path file) throws GridConfigException {
    List<URI> out = new ArrayList<>();
    for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
      if (!key.startsWith("server.")) {
        continue;
      }
      try {
        URI uri = new URI(p.getProperty(key).trim());
        if (uri.getScheme() == null) {
          throw new URISyntaxException(uri.toString(), "no scheme");
        }
        out.add(uri);
      } catch (URISyntaxException e) {
        throw new GridConfigException(file + ": '" + key + "' is not a storage URI: " + e.getMessage());
      }
    }
    return out;
  }

  /** Every server, in the order given. */
  public List<StorageServer> servers() {
    return servers;
  }

  /** The server with {@code id}, if part of this grid. */
  public Optional<StorageServer> server(ServerId id) {
    return servers.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** Servers in Tahoe's permuted order for {@code si}: ascending {@code SHA1(SI || seed)}. */
  public List<StorageServer> permutedServers(StorageIndex si) {
    return permute(servers, si);
  }

  /** Tahoe's permutation of {@code servers} for {@code si}. */
  public static List<StorageServer> permute(List<StorageServer> servers, StorageIndex si) {
    byte[] siBytes = si.toBytes();
    record Keyed(byte[] key, StorageServer server) {}
    List<Keyed> keyed = new ArrayList<>(servers.size());
    for (StorageServer s : servers) {
      MessageDigest sha1 = sha1();
      sha1.update(siBytes);
      sha1.update(s.permutationSeed());
      keyed.add(new Keyed(sha1.digest(), s));
    }
    keyed.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
    List<StorageServer> out = new ArrayList<>(keyed.size());
    for (Keyed k : keyed) {
      out.add(k.server);
    }
    return out;
  }

  public EncodingParameters defaults() {
    return defaults;
  }

  /** A copy of the 32-byte convergence secret used for convergent (CHK) encryption. */
  public byte[] convergenceSecret() {
    return convergenceSecret.clone();
  }

  /** A copy of the 32-byte client lease secret, the root of all lease renew/cancel secrets. */
  public byte[] leaseSecret() {
    return leaseSecret.clone();
  }

  /** How long one call to one server may take before the server counts as unresponsive. */
  public Duration serverTimeout() {
    return serverTimeout;
  }

  /** Closes the servers if this grid opened them ({@link #localDirectory}). */
  @Override
  public void close() {
    if (ownsServers) {
      for (StorageServer s : servers) {
        closeQuietly(s);
      }
    }
  }

  private static void closeQuietly(StorageServer s) {
    try {
      s.close();
    } catch (StorageException | RuntimeException e) {
      log.warn("closing {} failed: {}", s.location(), e.toString());
    }
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks SHA-1", e);
    }
  }

  static EncodingParameters readProperties(Properties p, Path file) throws GridConfigException {
    EncodingParameters d = EncodingParameters.DEFAULT;
    try {
      int k = intProp(p, "k", d.k());
      int n = intProp(p, "n", d.n());
      int happy = intProp(p, "happy", Math.min(d.happy(), n));
      int seg = intProp(p, "segment-size", d.maxSegmentSize());
      return new EncodingParameters(k, n, happy, seg);
    } catch (IllegalArgumentException e) {
      throw new GridConfigException(file + ": " + e.getMessage());
    }
  }

  /** The {@code locality} of {@code grid.properties}: {@code local} (the default) or {@code remote}. */
  static Locality readLocality(Properties p, Path file) throws GridConfigException {
    String v = p.getProperty("locality", "local").trim();
    return switch (v) {
      case "local" -> Locality.LOCAL;
      case "remote" -> Locality.REMOTE;
      default -> throw new GridConfigException(file + ": 'locality' is local or remote, not " + v);
    };
  }

  /** The settings of {@code grid.properties}, empty when the file is absent. */
  private static Properties loadProperties(Path file) throws GridConfigException {
    Properties p = new Properties();
    if (!Files.exists(file)) {
      return p;
    }
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new GridConfigException("cannot read " + file + ": " + e.getMessage());
    }
    return p;
  }

  private static int intProp(Properties p, String key, int dflt) {
    String v = p.getProperty(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + key + "' is not a number: " + v.trim());
    }
  }

  /** Reads a base32 32-byte secret, creating it atomically (temp + fsync + rename) if missing. */
  static byte[] readOrCreateSecret(Path file) throws GridConfigException {
    try {
      if (!Files.exists(file)) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (FileChannel ch =
            FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
          ch.write(java.nio.ByteBuffer.wrap((Base32.encode(fresh) + "\n").getBytes(StandardCharsets.US_ASCII)));
          ch.force(true);
        }
        try {
          // Another process may have won the race; keep whichever landed first.
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          Files.deleteIfExists(tmp);
        }
      }
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      byte[] secret = Base32.decode(text);
      if (secret.length != 32) {
        throw new GridConfigException(file + ": secret must be 32 bytes, got " + secret.length);
      }
      return secret;
    } catch (IOException e) {
      throw new GridConfigException("cannot read or create " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new GridConfigException(file + ": " + e.getMessage());
    }
  }

  /** Fail-fast builder. */
  public static final class Builder {
    private final List<StorageServer> servers = new ArrayList<>();
    private EncodingParameters defaults = EncodingParameters.DEFAULT;
    private byte[] convergenceSecret;
    private byte[] leaseSecret;
    private Duration serverTimeout = Duration.ofSeconds(30);
    private boolean ownsServers;

    private Builder() {}

    public Builder servers(List<? extends StorageServer> more) {
      for (StorageServer s : more) {
        server(s);
      }
      return this;
    }

    public Builder server(StorageServer s) {
      servers.add(Objects.requireNonNull(s, "server"));
      return this;
    }

    public Builder defaults(EncodingParameters p) {
      this.defaults = Objects.requireNonNull(p, "defaults");
      return this;
    }

    public Builder convergenceSecret(byte[] secret) {
      Objects.requireNonNull(secret, "convergence secret");
      if (secret.length == 0) {
        throw new IllegalArgumentException("convergence secret must not be empty");
      }
      this.convergenceSecret = secret.clone();
      return this;
    }

    public Builder leaseSecret(byte[] secret) {
      Objects.requireNonNull(secret, "lease secret");
      if (secret.length != 32) {
        throw new IllegalArgumentException("lease secret must be 32 bytes");
      }
      this.leaseSecret = secret.clone();
      return this;
    }

    public Builder serverTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("server timeout must be positive");
      }
      this.serverTimeout = timeout;
      return this;
    }

    /** Builds the grid; secrets not given are made at random (fine for tests, not for reuse). */
    public Grid build() {
      if (servers.isEmpty()) {
        throw new IllegalStateException("a grid needs at least one server");
      }
      Set<ServerId> ids = new HashSet<>();
      for (StorageServer s : servers) {
        if (!ids.add(s.id())) {
          throw new IllegalStateException("two servers share the id " + s.id());
        }
      }
      SecureRandom r = new SecureRandom();
      if (convergenceSecret == null) {
        convergenceSecret = new byte[32];
        r.nextBytes(convergenceSecret);
      }
      if (leaseSecret == null) {
        leaseSecret = new byte[32];
        r.nextBytes(leaseSecret);
      }
      return new Grid(this);
    }
  }
}
