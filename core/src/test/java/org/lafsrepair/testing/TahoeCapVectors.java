package org.lafsrepair.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Tahoe's published capability vectors ({@code shared/vectors/tahoe/test_vectors.yaml}, see the
 * README beside it), loaded once.
 */
public final class TahoeCapVectors {
  private static volatile List<Vector> vectors;

  private TahoeCapVectors() {}

  /** One vector: inputs and the cap Tahoe produced. */
  public record Vector(
      int index,
      String kind,
      String mutableFormat,
      String pemKey,
      byte[] convergence,
      byte[] seed,
      int length,
      int k,
      int n,
      int maxSegmentSize,
      String expected) {

    /** {@code (seed * (length // len(seed) + 1))[:length]}. */
    public byte[] plaintext() {
      byte[] out = new byte[length];
      for (int i = 0; i < length; i++) {
        out[i] = seed[i % seed.length];
      }
      return out;
    }

    public boolean isChk() {
      return kind.equals("chk");
    }

    @Override
    public String toString() {
      return "vector " + index + " " + kind + (mutableFormat == null ? "" : "/" + mutableFormat)
          + " k=" + k + " N=" + n + " len=" + length;
    }
  }

  /** All 360 vectors, in file order. */
  public static List<Vector> all() {
    List<Vector> v = vectors;
    if (v == null) {
      v = load();
      vectors = v;
    }
    return v;
  }

  private static List<Vector> load() {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory())
          .readTree(SharedVectors.tahoe().resolve("test_vectors.yaml").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Vector> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : root.get("vector")) {
      JsonNode fmt = e.get("format");
      JsonNode params = fmt.get("params");
      boolean ssk = params != null && !params.isNull();
      out.add(new Vector(
          i++,
          fmt.get("kind").asText(),
          ssk ? params.get("format").asText() : null,
          ssk ? params.get("key").asText() : null,
          Base64.getDecoder().decode(e.get("convergence").asText()),
          Base64.getDecoder().decode(e.get("sample").get("seed").asText()),
          e.get("sample").get("length").asInt(),
          e.get("zfec").get("required").asInt(),
          e.get("zfec").get("total").asInt(),
          e.get("zfec").get("segmentSize").asInt(),
          e.get("expected").asText()));
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("test_vectors.yaml holds no vectors");
    }
    return List.copyOf(out);
  }
}
