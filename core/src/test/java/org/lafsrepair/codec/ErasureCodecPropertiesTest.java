package org.lafsrepair.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ErasureCodecPropertiesTest {
  record Input(int k, int n, int blockSize, long seed) {}

  @Provide
  Arbitrary<Input> inputs() {
    Arbitrary<Integer> ks = Arbitraries.integers().between(1, 40);
    return Combinators.combine(
            ks,
            Arbitraries.integers().between(0, 40),
            Arbitraries.integers().between(0, 3000),
            Arbitraries.longs())
        .as((k, extra, bs, seed) -> new Input(k, Math.min(256, k + extra), bs, seed));
  }

  @Provide
  Arbitrary<Input> wideInputs() {
    return Combinators.combine(
            Arbitraries.integers().between(60, 200),
            Arbitraries.integers().between(0, 60),
            Arbitraries.integers().between(0, 300),
            Arbitraries.longs())
        .as((k, extra, bs, seed) -> new Input(k, Math.min(256, k + extra), bs, seed));
  }

  @Property(tries = 60)
  void decodingAnyKOfTheEncodedBlocksGivesBackTheInput(@ForAll("inputs") Input in) {
    roundTrip(in);
  }

  @Property(tries = 8)
  void wideCodesRoundTrip(@ForAll("wideInputs") Input in) {
    roundTrip(in);
  }

  private static void roundTrip(Input in) {
    Random rnd = new Random(in.seed());
    byte[][] data = randomBlocks(rnd, in.k(), in.blockSize());
    ErasureCodec codec = ErasureCodec.of(in.k(), in.n());
    int[] all = range(in.n());
    byte[][] encoded = codec.encode(data, all);
    int[] have = shuffledSubset(rnd, in.n(), in.k());
    byte[][] blocks = new byte[in.k()][];
    for (int j = 0; j < in.k(); j++) {
      blocks[j] = encoded[have[j]];
    }
    byte[][] primary = codec.decode(have, blocks, range(in.k()));
    assertArrayEquals(data, primary);
    // Straight to a repair's missing shares, in a random order.
    int[] wanted = shuffledSubset(rnd, in.n(), 1 + rnd.nextInt(in.n()));
    byte[][] rebuilt = codec.decode(have, blocks, wanted);
    for (int i = 0; i < wanted.length; i++) {
      assertArrayEquals(encoded[wanted[i]], rebuilt[i]);
    }
  }

  @Property(tries = 40)
  void everyKernelAgreesWithTheScalarOracle(@ForAll("inputs") Input in) {
    Random rnd = new Random(in.seed());
    byte[][] data = randomBlocks(rnd, in.k(), in.blockSize());
    int[] wanted = shuffledSubset(rnd, in.n(), in.n());
    byte[][] expected = ErasureCodec.of(in.k(), in.n(), CodecKernel.SCALAR).encode(data, wanted);
    for (CodecKernel kernel : ZfecVectorsTest.kernels()) {
      byte[][] got = ErasureCodec.of(in.k(), in.n(), kernel).encode(data, wanted);
      assertArrayEquals(expected, got, kernel.name());
    }
  }

  @Property(tries = 30)
  void offsetVariantsWriteOnlyTheirWindow(@ForAll("inputs") Input in) {
    Random rnd = new Random(in.seed());
    int len = in.blockSize();
    int inOff = rnd.nextInt(50);
    int outOff = rnd.nextInt(50);
    byte[][] padded = randomBlocks(rnd, in.k(), inOff + len + rnd.nextInt(20));
    byte[][] data = new byte[in.k()][];
    for (int j = 0; j < in.k(); j++) {
      data[j] = java.util.Arrays.copyOfRange(padded[j], inOff, inOff + len);
    }
    for (CodecKernel kernel : ZfecVectorsTest.kernels()) {
      ErasureCodec codec = ErasureCodec.of(in.k(), in.n(), kernel);
      int[] wanted = shuffledSubset(rnd, in.n(), in.n());
      byte[][] expected = codec.encode(data, wanted);
      byte[][] out = randomBlocks(rnd, wanted.length, outOff + len + 7);
      byte[][] before = new byte[out.length][];
      for (int i = 0; i < out.length; i++) {
        before[i] = out[i].clone();
      }
      codec.encodeInto(padded, inOff, len, wanted, out, outOff);
      for (int i = 0; i < out.length; i++) {
        assertArrayEquals(expected[i], java.util.Arrays.copyOfRange(out[i], outOff, outOff + len));
        assertArrayEquals(
            java.util.Arrays.copyOfRange(before[i], 0, outOff),
            java.util.Arrays.copyOfRange(out[i], 0, outOff));
        assertArrayEquals(
            java.util.Arrays.copyOfRange(before[i], outOff + len, out[i].length),
            java.util.Arrays.copyOfRange(out[i], outOff + len, out[i].length));
      }
    }
  }

  static byte[][] randomBlocks(Random rnd, int count, int len) {
    byte[][] b = new byte[count][len];
    for (byte[] x : b) {
      rnd.nextBytes(x);
    }
    return b;
  }

  static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  static int[] shuffledSubset(Random rnd, int n, int count) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, rnd);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = idx.get(i);
    }
    return out;
  }
}
