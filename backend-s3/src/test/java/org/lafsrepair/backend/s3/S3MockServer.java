package org.lafsrepair.backend.s3;

import com.adobe.testing.s3mock.S3MockApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * A real S3 server (Adobe S3Mock) running inside the test JVM on a loopback port, plus helpers to
 * build {@link S3StorageServer}s and plain SDK clients against it. Tests in other modules (the
 * mixed disk + S3 grid) use it through this module's test-jar.
 *
 * <p>The server keeps its objects under a directory of its own, so {@link #stop()} followed by
 * {@link #restart()} keeps the bucket contents: that is how fault tests simulate an S3 outage.
 */
public final class S3MockServer implements AutoCloseable {
  /** Region the mock claims to be in. */
  public static final Region REGION = Region.US_EAST_1;

  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private final Path root;
  private final boolean ownsRoot;
  private S3MockApplication app;
  private int port;
  private S3Client client;

  private S3MockServer(Path root, boolean ownsRoot) {
    this.root = root;
    this.ownsRoot = ownsRoot;
  }

  private static S3MockServer shared;

  /**
   * One server for the whole test JVM (starting one takes seconds), stopped at JVM exit. Tests
   * that stop or restart a server must {@link #start()} their own.
   */
  public static synchronized S3MockServer shared() {
    if (shared == null) {
      S3MockServer s = start();
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "s3mock-shutdown"));
      shared = s;
    }
    return shared;
  }

  /** Starts a server on a random loopback port with a fresh temporary root directory. */
  public static S3MockServer start() {
    try {
      S3MockServer s = new S3MockServer(Files.createTempDirectory("s3mock"), true);
      s.launch(0);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch(int httpPort) {
    Map<String, Object> props = new HashMap<>();
    props.put("http.port", httpPort);
    props.put("server.port", 0); // the HTTPS connector: random, unused
    props.put("com.adobe.testing.s3mock.store.root", root.toString());
    props.put("com.adobe.testing.s3mock.store.retain-files-on-exit", true);
    props.put("silent", true);
    props.put("logging.level.root", "WARN");
    props.put("spring.main.banner-mode", "off");
    props.put("com.adobe.testing.s3mock.max-payload-size", "64MB");
    app = S3MockApplication.start(props);
    @SuppressWarnings("deprecation")
    int p = app.getHttpPort();
    port = p;
  }

  /** The HTTP endpoint ({@code http://127.0.0.1:port}). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Credentials the mock accepts (it accepts any). */
  public static AwsCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("test-key", "test-secret"));
  }

  /** A plain SDK client for this server (shared; closed with the server). */
  public synchronized S3Client client() {
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /** A new plain SDK client configured like the backend's. Caller closes it. */
  public S3Client newClient() {
    return newClientBuilder().build();
  }

  /** A builder for a plain SDK client for this server, to add settings (interceptors) to. */
  public S3ClientBuilder newClientBuilder() {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .region(REGION)
        .forcePathStyle(true)
        .credentialsProvider(credentials())
        .httpClientBuilder(Apache5HttpClient.builder().connectionTimeout(Duration.ofSeconds(2)));
  }

  /** Creates a fresh, uniquely named bucket and returns its name. */
  public String createBucket() {
    String name = "bucket-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    client().createBucket(b -> b.bucket(name));
    return name;
  }

  /** A backend builder pointed at this server, bucket and prefix, with fast failure settings. */
  public S3StorageServer.Builder backend(String bucket, String prefix) {
    return S3StorageServer.builder(bucket)
        .prefix(prefix)
        .endpoint(endpoint())
        .region(REGION)
        .pathStyle(true)
        .credentials(credentials())
        .connectTimeout(Duration.ofSeconds(2))
        .maxAttempts(2);
  }

  /** Stops the HTTP server, keeping the stored objects. */
  public synchronized void stop() {
    if (app != null) {
      app.stop();
      app = null;
    }
  }

  /** Starts again on the same port and directory after {@link #stop()}. */
  public synchronized void restart() {
    if (app == null) {
      launch(port);
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
    stop();
    if (ownsRoot) {
      deleteTree(root);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temp directory is harmless.
    }
  }
}
