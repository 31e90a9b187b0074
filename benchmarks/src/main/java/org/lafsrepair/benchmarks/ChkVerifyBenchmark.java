package org.lafsrepair.benchmarks;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.lafsrepair.cap.ChkReadCap;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.immutable.ChkDownloader;
import org.lafsrepair.immutable.ChkEncoder;
import org.lafsrepair.immutable.ChkEncoding;
import org.lafsrepair.immutable.ChkRebuilder;
import org.lafsrepair.immutable.ChkVerifier;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.immutable.ShareCandidate;
import org.lafsrepair.immutable.ShareVerdict;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * CHK throughput on one core, in memory (no storage I/O): verifying a whole 3-of-10 share set,
 * raw JDK SHA-256 over the same share bytes (the yardstick, measured in the same run), download
 * (k primary shares → plaintext), encode (plaintext → 10 shares, sinks discard), and rebuilding
 * one check share from 3 others.
 *
 * <p>One op processes one file of {@code size} bytes. MB/s of file = ops/s × size / 10^6; the
 * share set is ≈ N/k × size bytes ({@code shareSetBytes} is printed at setup). Verify / SHA-256
 * ratio = verifyShareSet ops/s ÷ sha256ShareSet ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 2)
public class ChkVerifyBenchmark {
  /** File size: 16 MiB (128 segments of 128 KiB). */
  @Param({"16777216"})
  public int size;

  @Param({"131072"})
  public int maxSegmentSize;

  private static final int K = 3;
  private static final int N = 10;

  private byte[] plaintext;
  private byte[][] shares;
  private ChkReadCap readCap;
  private ChkVerifyCap verifyCap;
  private MessageDigest sha256;
  private ChkEncoder encoder;

  @Setup
  public void setup() throws Exception {
    Random r = new Random(1);
    plaintext = new byte[size];
    r.nextBytes(plaintext);
    byte[] secret = new byte[32];
    r.nextBytes(secret);
    encoder = ChkEncoder.convergent(K, N, maxSegmentSize, secret);
    ChkEncoder.Prepared p = encoder.prepare(PlaintextSource.of(plaintext));
    long len = p.shareLength();
    shares = new byte[N][(int) len];
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    for (int sh = 0; sh < N; sh++) {
      byte[] dst = shares[sh];
      sinks.put(ShareNumber.of(sh), (off, b) -> b.get(dst, (int) off, b.remaining()));
    }
    ChkEncoding e = p.writeShares(PlaintextSource.of(plaintext), sinks);
    readCap = e.readCap();
    verifyCap = e.verifyCap();
    sha256 = MessageDigest.getInstance("SHA-256");
    System.out.printf("%nfile %d B, share set %d B%n", size, (long) N * len);
    warmUp();
  }

  /**
   * SHA-256 and AES intrinsics only kick in for C2-compiled callers (shared/anchors/README.md,
   * "JIT"), so every measured path runs for 3 s first. On the benchmark's own data: warming up on
   * a small file (2.7 KB blocks) left verify at half speed for the whole fork.
   */
  private void warmUp() throws Exception {
    long until = System.nanoTime() + 3_000_000_000L;
    Blackhole bh = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    while (System.nanoTime() < until) {
      verifyShareSet(bh);
      sha256ShareSet();
      download();
    }
    bh.evaporate(
        "Yes, I am Stephen Hawking, and know a thing or two about black holes.");
  }

  private static ShareSource view(byte[] share) {
    // Zero-copy reads over the benchmark's arrays (ShareSource.of copies once per call).
    return (offset, length) -> {
      if (offset >= share.length) {
        return java.nio.ByteBuffer.allocate(0);
      }
      int n = (int) Math.min(length, share.length - offset);
      return java.nio.ByteBuffer.wrap(share, (int) offset, n).slice().asReadOnlyBuffer();
    };
  }

  @Benchmark
  public void verifyShareSet(Blackhole bh) throws Exception {
    for (int sh = 0; sh < N; sh++) {
      ShareVerdict v = ChkVerifier.verify(verifyCap, ShareNumber.of(sh), view(shares[sh]));
      if (!v.isGood()) {
        throw new IllegalStateException(v.toString());
      }
      bh.consume(v);
    }
  }

  /** Time split of {@link #pairedVerifyVsSha256}: both halves see the same machine load. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Paired {
    public long verifyNanos;
    public long sha256Nanos;
  }

  /**
   * One share-set verify, then one SHA-256 pass over the same bytes, each timed: on a shared
   * machine the ratio sha256Nanos / verifyNanos (= verify throughput / SHA-256 throughput) is the
   * number to trust, independent runs being minutes apart under different load.
   */
  @Benchmark
  public byte[] pairedVerifyVsSha256(Paired p, Blackhole bh) throws Exception {
    long t0 = System.nanoTime();
    verifyShareSet(bh);
    long t1 = System.nanoTime();
    byte[] d = sha256ShareSet();
    long t2 = System.nanoTime();
    p.verifyNanos += t1 - t0;
    p.sha256Nanos += t2 - t1;
    return d;
  }

  @Benchmark
  public byte[] sha256ShareSet() {
    for (int sh = 0; sh < N; sh++) {
      sha256.update(shares[sh]);
    }
    return sha256.digest();
  }

  @Benchmark
  public long download() throws Exception {
    List<ShareCandidate> c = new ArrayList<>();
    for (int sh = 0; sh < N; sh++) {
      c.add(new ShareCandidate(ShareNumber.of(sh), view(shares[sh]), "mem"));
    }
    return ChkDownloader.download(readCap, c, OutputStream.nullOutputStream()).size();
  }

  @Benchmark
  public long downloadFromCheckShares() throws Exception {
    List<ShareCandidate> c = new ArrayList<>();
    for (int sh = N - K; sh < N; sh++) {
      c.add(new ShareCandidate(ShareNumber.of(sh), view(shares[sh]), "mem"));
    }
    return ChkDownloader.download(readCap, c, OutputStream.nullOutputStream()).size();
  }

  @Benchmark
  public long encode() throws Exception {
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    long[] count = {0};
    for (int sh = 0; sh < N; sh++) {
      sinks.put(ShareNumber.of(sh), (off, b) -> count[0] += b.remaining());
    }
    encoder.encode(PlaintextSource.of(plaintext), sinks);
    return count[0];
  }

  @Benchmark
  public long rebuildOneShare() throws Exception {
    List<ShareCandidate> c = new ArrayList<>();
    for (int sh = 0; sh < K; sh++) {
      c.add(new ShareCandidate(ShareNumber.of(sh), view(shares[sh]), "mem"));
    }
    long[] count = {0};
    ChkRebuilder.rebuild(verifyCap, c,
        Map.of(ShareNumber.of(N - 1), (off, b) -> count[0] += b.remaining()));
    return count[0];
  }
}
