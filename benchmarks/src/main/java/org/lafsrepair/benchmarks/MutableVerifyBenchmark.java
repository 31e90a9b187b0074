package org.lafsrepair.benchmarks;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.mutable.MutableDownloader;
import org.lafsrepair.mutable.MutableFileKeys;
import org.lafsrepair.mutable.MutablePublisher;
import org.lafsrepair.mutable.MutableServerMap;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verify of a 3-of-10 MDMF file of 8 MiB on ten in-memory servers, with only the verify cap:
 * every share's signature (one RSA-PSS verification each), fingerprint, chain, and every block
 * against its block tree — all 10 shares, 27 MiB of share data. Beside it, the yardstick: one
 * SHA-256 pass over the same number of bytes (the verifier hashes each block twice, SHA-256d).
 * Also the verified download of the same file with the read cap. Throughput in ops/s; file MB/s =
 * ops/s × 8.39.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MutableVerifyBenchmark {
  static final int SIZE = 8 * 1024 * 1024;

  private List<MemoryStorageServer> servers;
  private MutableFileKeys verifyKeys;
  private MutableFileKeys readKeys;
  private byte[] shareBytes;
  private MessageDigest sha256;

  @Setup
  public void setup() throws Exception {
    servers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      servers.add(MemoryStorageServer.create());
    }
    byte[] plaintext = new byte[SIZE];
    new Random(42).nextBytes(plaintext);
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(42);
    MutableWriteCap cap = MutablePublisher.builder().random(random).build()
        .create(MutableFormat.MDMF, RsaSigningKey.generate(random), plaintext, servers);
    readKeys = MutableFileKeys.of(cap);
    verifyKeys = readKeys.toVerify();
    MutableServerMap map = MutableServerMap.build(verifyKeys, servers, MutableServerMap.Mode.VERIFY);
    if (!map.healthy()) {
      throw new IllegalStateException("benchmark file is not healthy: " + map);
    }
    shareBytes = new byte[(int) (SIZE / 3 * 10L)];
    sha256 = MessageDigest.getInstance("SHA-256");
    // SHA-256 intrinsics apply only in C2-compiled callers: exercise both paths on small inputs.
    long until = System.nanoTime() + 2_000_000_000L;
    byte[] small = new byte[4096];
    while (System.nanoTime() < until) {
      sha256.update(small);
      sha256.digest();
      org.lafsrepair.internal.crypto.Hashes.tagged(
          org.lafsrepair.internal.crypto.Hashes.TAG_BLOCK, small);
    }
  }

  @Benchmark
  public MutableServerMap verifyAllShares() {
    MutableServerMap map = MutableServerMap.build(verifyKeys, servers, MutableServerMap.Mode.VERIFY);
    if (!map.healthy()) {
      throw new IllegalStateException("verify failed");
    }
    return map;
  }

  @Benchmark
  public byte[] downloadVerified() throws Exception {
    return MutableDownloader.download(readKeys, servers);
  }

  @Benchmark
  public byte[] yardstickSha256OverAllShareBytes() {
    sha256.update(shareBytes);
    return sha256.digest();
  }
}
