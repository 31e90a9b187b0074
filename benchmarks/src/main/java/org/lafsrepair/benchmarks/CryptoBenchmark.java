package org.lafsrepair.benchmarks;

import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.lafsrepair.internal.crypto.AesCtr;
import org.lafsrepair.internal.crypto.Hashes;
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

/**
 * The crypto primitives on the repair path, each beside the bare JDK call the anchors measure
 * ({@code shared/anchors/jvm}): AES-128-CTR positioned at an offset (one new stream per segment,
 * as CHK and MDMF use it) vs {@code Cipher.update}; Tahoe's tagged SHA-256d vs one SHA-256;
 * see {@link RsaAndCapBenchmark} for RSA and caps. Throughput in ops/s; MB/s =
 * ops/s × size / 10^6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CryptoBenchmark {
  /** 43,691 = one k=3 block of a 128 KiB segment; 131,072 and 1 MiB = segments. */
  @Param({"43691", "131072", "1048576"})
  public int size;

  private byte[] key;
  private byte[] data;
  private byte[] out;
  private Cipher jdkCipher;
  private MessageDigest sha256;
  private long offset;
  private AesCtr.Stream reusable;

  @Setup
  public void setup() throws Exception {
    Random r = new Random(42);
    key = new byte[16];
    r.nextBytes(key);
    data = new byte[size];
    r.nextBytes(data);
    out = new byte[size];
    jdkCipher = Cipher.getInstance("AES/CTR/NoPadding");
    jdkCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
    sha256 = MessageDigest.getInstance("SHA-256");
    offset = 7L * size + 5; // an unaligned offset, as a random-access read would use
    reusable = AesCtr.streamAt(key, 0);
    warmUpIntrinsics();
  }

  /**
   * HotSpot's AES-CTR and SHA-256 intrinsics apply only in C2-compiled callers; a short JMH
   * warm-up on large inputs never gets there (shared/anchors/README.md, "JIT"). Run every call
   * path on 1 KiB inputs, with an occasional full-size call, for at least 2 s first.
   */
  private void warmUpIntrinsics() throws Exception {
    byte[] small = new byte[1024];
    byte[] smallOut = new byte[1024];
    long until = System.nanoTime() + 2_000_000_000L;
    for (int i = 0; System.nanoTime() < until; i++) {
      boolean full = (i & 1023) == 0;
      byte[] in = full ? data : small;
      byte[] o = full ? out : smallOut;
      jdkCipher.update(in, 0, in.length, o, 0);
      AesCtr.streamAt(key, i).apply(in, 0, in.length, o, 0);
      reusable.reposition(key, i).apply(in, 0, in.length, o, 0);
      sha256.digest(in);
      Hashes.tagged(Hashes.TAG_BLOCK, in);
    }
  }

  /** Anchor equivalent: one keyed Cipher, {@code update} only. */
  @Benchmark
  public byte[] aesCtrJdkUpdate() throws Exception {
    jdkCipher.update(data, 0, size, out, 0);
    return out;
  }

  /** A fresh stream at an unaligned offset per call (key schedule + skip included). */
  @Benchmark
  public byte[] aesCtrStreamAtOffset() {
    AesCtr.streamAt(key, offset).apply(data, 0, size, out, 0);
    return out;
  }

  /** One reused stream re-keyed and moved per call (the MDMF per-segment pattern). */
  @Benchmark
  public byte[] aesCtrRepositionedStream() {
    reusable.reposition(key, offset).apply(data, 0, size, out, 0);
    return out;
  }

  /** Anchor equivalent: one SHA-256. */
  @Benchmark
  public byte[] sha256Jdk() {
    return sha256.digest(data);
  }

  /** {@code H(tag; data)}: SHA-256d with a netstring tag, as every block hash is computed. */
  @Benchmark
  public byte[] sha256dTagged() {
    return Hashes.tagged(Hashes.TAG_BLOCK, data);
  }
}
