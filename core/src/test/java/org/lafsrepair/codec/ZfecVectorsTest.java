package org.lafsrepair.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.lafsrepair.internal.codec.Kernels;
import org.lafsrepair.testing.SharedVectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Byte-exact agreement with the real zfec 1.5.2 C library, for every kernel this JVM has. */
class ZfecVectorsTest {

  record Case(int k, int m, int blockSize, byte[][] input, byte[][] blocks) {
    @Override
    public String toString() {
      return k + "-of-" + m + " bs=" + blockSize;
    }
  }

  static List<CodecKernel> kernels() {
    List<CodecKernel> ks = new ArrayList<>(List.of(CodecKernel.SCALAR, CodecKernel.SWAR));
    if (Kernels.vectorAvailable()) {
      ks.add(CodecKernel.VECTOR);
    }
    return ks;
  }

  static Stream<Arguments> cases() throws IOException, NoSuchAlgorithmException {
    JsonNode root =
        new ObjectMapper().readTree(SharedVectors.zfec().resolve("zfec_vectors.json").toFile());
    List<Case> cases = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      int k = c.get("k").asInt();
      int m = c.get("m").asInt();
      int bs = c.get("block_size").asInt();
      byte[] input = regenerate(c.get("input_seed").asText(), k * bs);
      assertEquals(c.get("input_sha256").asText(), hex(sha256(input)), "regenerated input");
      byte[][] in = new byte[k][];
      for (int j = 0; j < k; j++) {
        in[j] = java.util.Arrays.copyOfRange(input, j * bs, (j + 1) * bs);
      }
      byte[][] blocks = new byte[m][];
      MessageDigest all = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < m; i++) {
        blocks[i] = Base64.getDecoder().decode(c.get("blocks_b64").get(i).asText());
        all.update(blocks[i]);
      }
      assertEquals(c.get("output_sha256").asText(), hex(all.digest()), "vector file integrity");
      cases.add(new Case(k, m, bs, in, blocks));
    }
    assertEquals(36, cases.size());
    List<Arguments> args = new ArrayList<>();
    for (CodecKernel kernel : kernels()) {
      for (Case c : cases) {
        args.add(Arguments.of(kernel, c));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void encodeMatchesZfecByteForByte(CodecKernel kernel, Case c) {
    ErasureCodec codec = ErasureCodec.of(c.k(), c.m(), kernel);
    int[] all = new int[c.m()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    byte[][] out = codec.encode(c.input(), all);
    for (int i = 0; i < c.m(); i++) {
      assertArrayEquals(c.blocks()[i], out[i], "block " + i);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void anyKBlocksDecodeToEveryBlock(CodecKernel kernel, Case c) {
    ErasureCodec codec = ErasureCodec.of(c.k(), c.m(), kernel);
    Random rnd = new Random(c.k() * 1000L + c.m() * 7L + c.blockSize());
    List<int[]> patterns = new ArrayList<>();
    int[] last = new int[c.k()];
    for (int i = 0; i < c.k(); i++) {
      last[i] = c.m() - c.k() + i;
    }
    patterns.add(last);
    for (int t = 0; t < 3; t++) {
      patterns.add(randomSubset(rnd, c.m(), c.k()));
    }
    int[] all = new int[c.m()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    for (int[] have : patterns) {
      byte[][] blocks = new byte[c.k()][];
      for (int j = 0; j < c.k(); j++) {
        blocks[j] = c.blocks()[have[j]];
      }
      byte[][] out = codec.decode(have, blocks, all);
      for (int i = 0; i < c.m(); i++) {
        assertArrayEquals(c.blocks()[i], out[i], "block " + i);
      }
    }
    assertTrue(patterns.size() > 1);
  }

  static int[] randomSubset(Random rnd, int m, int k) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      idx.add(i);
    }
    java.util.Collections.shuffle(idx, rnd);
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx.get(i);
    }
    return out;
  }

  private static byte[] regenerate(String seed, int length) throws NoSuchAlgorithmException {
    byte[] s = seed.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[length];
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (long ctr = 0, pos = 0; pos < length; ctr++) {
      md.update(s);
      md.update(ByteBuffer.allocate(8).putLong(ctr).array());
      byte[] h = md.digest();
      int n = (int) Math.min(h.length, length - pos);
      System.arraycopy(h, 0, out, (int) pos, n);
      pos += n;
    }
    return out;
  }

  private static byte[] sha256(byte[] b) throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
