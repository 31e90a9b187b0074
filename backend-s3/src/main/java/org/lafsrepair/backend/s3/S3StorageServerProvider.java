package org.lafsrepair.backend.s3;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServerProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

/**
 * Opens {@code s3://bucket[/prefix][?key=value&...]} (found by {@link java.util.ServiceLoader}).
 *
 * <p>Query keys: {@code endpoint} (URI of an S3-compatible store), {@code region}, {@code
 * path-style} (true/false), {@code profile} (credentials from a named AWS profile; otherwise the
 * SDK's default chain), {@code max-connections}, {@code max-attempts}, {@code connect-timeout-ms},
 * {@code socket-timeout-ms}, {@code part-size} (bytes), {@code create-bucket} (true/false). An
 * unknown key is an error rather than silently ignored. Secrets never go in the URI.
 */
public final class S3StorageServerProvider implements StorageServerProvider {
  @Override
  public String scheme() {
    return "s3";
  }

  @Override
  public StorageServer open(URI uri) throws StorageException {
    return configure(uri).build();
  }

  /** The builder {@link #open} would use, for callers that want to adjust it first. */
  public static S3StorageServer.Builder configure(URI uri) throws InvalidRequestException {
    if (uri == null || !"s3".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidRequestException("not an s3:// URI: " + uri);
    }
    String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new InvalidRequestException("s3 URI names no bucket: " + uri);
    }
    try {
      S3StorageServer.Builder b = S3StorageServer.builder(bucket);
      String path = uri.getPath();
      if (path != null && !path.isEmpty()) {
        b.prefix(path);
      }
      for (Map.Entry<String, String> e : query(uri).entrySet()) {
        String v = e.getValue();
        switch (e.getKey()) {
          case "endpoint" -> b.endpoint(URI.create(v));
          case "region" -> b.region(v);
          case "path-style" -> b.pathStyle(bool(e.getKey(), v));
          case "profile" -> b.credentials(ProfileCredentialsProvider.builder().profileName(v).build());
          case "max-connections" -> b.maxConnections(Integer.parseInt(v));
          case "max-attempts" -> b.maxAttempts(Integer.parseInt(v));
          case "connect-timeout-ms" -> b.connectTimeout(Duration.ofMillis(Long.parseLong(v)));
          case "socket-timeout-ms" -> b.socketTimeout(Duration.ofMillis(Long.parseLong(v)));
          case "part-size" -> b.partSize(Long.parseLong(v));
          case "create-bucket" -> b.createBucketIfMissing(bool(e.getKey(), v));
          default -> throw new InvalidRequestException("unknown s3 URI parameter '" + e.getKey() + "' in " + uri);
        }
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("bad s3 URI " + uri + ": " + e.getMessage(), e);
    }
  }

  private static boolean bool(String key, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    };
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = uri.getRawQuery();
    if (q == null || q.isEmpty()) {
      return out;
    }
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.put(k.toLowerCase(Locale.ROOT), v) != null) {
        throw new IllegalArgumentException("parameter '" + k + "' given twice");
      }
    }
    return out;
  }
}
