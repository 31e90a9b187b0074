package org.lafsrepair.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.lafsrepair.codec.CodecKernel;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.internal.codec.Matrices;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Erasure-coding throughput, one thread. Credit per operation is k × blockSize data bytes (the
 * anchors' convention), so MB/s = ops/s × k × blockSize / 10^6; {@link CodecReport} prints that
 * directly.
 *
 * <p>{@code encode} writes all n−k check blocks from the k primary blocks. {@code decode} is the
 * worst case: it is given as many check blocks as the code allows (the highest share numbers)
 * plus the fewest primary blocks, and rebuilds the missing primary blocks; its plan (the inverted
 * matrix and kernel tables) is cached, as when decoding a file segment after segment, so compare
 * it with ISA-L's "decode, cached tables". {@code invert} is that one-off per-survivor-set cost.
 *
 * <p>The k, n, blockSize parameters form a cross product in JMH; pick cases with {@code -p}, or
 * run {@link CodecReport}, which runs the standard cases one by one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {
  @Param({"3"})
  public int k;

  @Param({"10"})
  public int n;

  @Param({"43691"})
  public int blockSize;

  @Param({"scalar", "swar", "vector"})
  public String kernel;

  private ErasureCodec codec;
  private byte[][] primary;
  private int[] checkShnums;
  private byte[][] checkOut;
  private int[] decodeShnums;
  private byte[][] decodeBlocks;
  private int[] lostPrimaries;
  private byte[][] decodeOut;
  private int[][] decodeMatrix;

  @Setup(Level.Trial)
  public void setUp() {
    codec = ErasureCodec.of(k, n, CodecKernel.valueOf(kernel.toUpperCase(java.util.Locale.ROOT)));
    Random rnd = new Random(1);
    primary = new byte[k][blockSize];
    for (byte[] b : primary) {
      rnd.nextBytes(b);
    }
    checkShnums = new int[n - k];
    for (int i = 0; i < n - k; i++) {
      checkShnums[i] = k + i;
    }
    checkOut = new byte[n - k][blockSize];

    // Worst case: the highest min(k, n-k) check blocks, then the highest primaries to make k.
    int checks = Math.min(k, n - k);
    int keptPrimaries = k - checks;
    decodeShnums = new int[k];
    int p = 0;
    for (int i = k - keptPrimaries; i < k; i++) {
      decodeShnums[p++] = i;
    }
    for (int i = n - checks; i < n; i++) {
      decodeShnums[p++] = i;
    }
    lostPrimaries = new int[k - keptPrimaries];
    for (int i = 0; i < lostPrimaries.length; i++) {
      lostPrimaries[i] = i;
    }
    byte[][] all = codec.encode(primary, decodeShnums);
    decodeBlocks = all;
    decodeOut = new byte[lostPrimaries.length][blockSize];
    int[][] e = Matrices.zfecEncodingMatrix(k, n);
    decodeMatrix = new int[k][];
    for (int i = 0; i < k; i++) {
      decodeMatrix[i] = e[decodeShnums[i]];
    }
    // Check the decode path once, so a broken kernel cannot post a fast number.
    codec.decodeInto(decodeShnums, decodeBlocks, 0, blockSize, lostPrimaries, decodeOut, 0);
    for (int i = 0; i < lostPrimaries.length; i++) {
      if (!java.util.Arrays.equals(decodeOut[i], primary[lostPrimaries[i]])) {
        throw new IllegalStateException("decode mismatch for " + codec);
      }
    }
  }

  @Benchmark
  public byte[][] encode() {
    codec.encodeInto(primary, 0, blockSize, checkShnums, checkOut, 0);
    return checkOut;
  }

  @Benchmark
  public byte[][] decode() {
    codec.decodeInto(decodeShnums, decodeBlocks, 0, blockSize, lostPrimaries, decodeOut, 0);
    return decodeOut;
  }

  /** Inverting the worst-case decode matrix: paid once per survivor set, not per segment. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void invert(Blackhole bh) {
    bh.consume(Matrices.invert(decodeMatrix));
  }
}
