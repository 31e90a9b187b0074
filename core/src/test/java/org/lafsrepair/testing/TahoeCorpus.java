package org.lafsrepair.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The real-share corpus manifest ({@code shared/vectors/tahoe/manifest.json}) as a Jackson tree,
 * plus the plaintext rule it documents.
 */
public final class TahoeCorpus {
  private static volatile JsonNode manifest;

  private TahoeCorpus() {}

  /** The whole manifest. */
  public static JsonNode manifest() {
    JsonNode m = manifest;
    if (m == null) {
      try {
        m = new ObjectMapper().readTree(SharedVectors.tahoe().resolve("manifest.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      manifest = m;
    }
    return m;
  }

  /** Every case object of the manifest. */
  public static List<JsonNode> cases() {
    List<JsonNode> out = new ArrayList<>();
    manifest().get("cases").forEach(out::add);
    return out;
  }

  /** The cases whose kind starts with {@code prefix} ("immutable", "mutable"). */
  public static List<JsonNode> cases(String kindPrefix) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode c : cases()) {
      if (c.get("kind").asText().startsWith(kindPrefix)) {
        out.add(c);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("manifest has no " + kindPrefix + " cases");
    }
    return out;
  }

  /** A path from the manifest, resolved under {@code shared/vectors/tahoe}. */
  public static Path file(String relative) {
    return SharedVectors.tahoe().resolve(relative);
  }

  /** Reads a corpus file. */
  public static byte[] read(String relative) {
    try {
      return Files.readAllBytes(file(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sha256-counter-stream plaintext of the manifest's rule. */
  public static byte[] plaintext(String seed, int size) {
    byte[] out = new byte[size];
    MessageDigest d = sha256();
    byte[] s = seed.getBytes(StandardCharsets.UTF_8);
    int pos = 0;
    for (long ctr = 0; pos < size; ctr++) {
      d.update(s);
      for (int i = 7; i >= 0; i--) {
        d.update((byte) (ctr >>> (8 * i)));
      }
      byte[] h = d.digest();
      int n = Math.min(h.length, size - pos);
      System.arraycopy(h, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  /** The plaintext of a manifest {@code plaintext} object (size + seed). */
  public static byte[] plaintext(JsonNode plaintextNode) {
    return plaintext(plaintextNode.get("seed").asText(), plaintextNode.get("size").asInt());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
