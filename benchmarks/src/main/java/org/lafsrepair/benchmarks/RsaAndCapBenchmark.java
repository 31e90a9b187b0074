package org.lafsrepair.benchmarks;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.CapFormatException;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.internal.crypto.RsaVerificationKey;
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

/** RSA-2048 PSS sign/verify (once per mutable version) and cap parsing, in ops/s. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RsaAndCapBenchmark {
  /** RSA-2048 PSS: the per-version cost for mutable files. */
  @State(Scope.Benchmark)
  public static class Rsa {
    RsaSigningKey key;
    RsaVerificationKey vk;
    byte[] prefix = new byte[75];
    byte[] sig;

    @Setup
    public void setup() {
      key = RsaSigningKey.generate(new SecureRandom());
      vk = key.verificationKey();
      sig = key.sign(prefix);
    }
  }

  @Benchmark
  public byte[] rsaPssSign(Rsa s) {
    return s.key.sign(s.prefix);
  }

  @Benchmark
  public boolean rsaPssVerify(Rsa s) {
    return s.vk.verify(s.prefix, s.sig);
  }

  private static final String CHK_CAP = "URI:CHK:md66uwqg7evts4cnlfsuaexmr4:"
      + "f63f53mpg4x6mvfe6jgl3ld3qz3zdwstmztelfnc7axjwdvpczzq:3:10:1100000";

  /** Parse a CHK read cap and derive its verify cap (and so its storage index). */
  @Benchmark
  public Object capParseAndDiminish() throws CapFormatException {
    Cap c = Caps.parse(CHK_CAP);
    return c.verifyCap();
  }
}
