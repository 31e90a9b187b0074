package org.lafsrepair.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.lafsrepair.backend.disk.DiskGrid;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.mutable.MutablePublisher;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.spi.StorageServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Listing checks (no verify) of 100 healthy small SDMF files (2,000 bytes, 3-of-10) on a
 * 10-server local disk grid, through the public {@code Checker}: per server a listing and one
 * batched read of the share heads, then every share's RSA signature checked. Score: files/s.
 * Setup makes 100 RSA-2048 keys, a few seconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class MutableCheckBenchmark {
  static final int FILES = 100;

  private Path dir;
  private List<StorageServer> servers;
  private Repairer repairer;
  private final List<MutableWriteCap> caps = new ArrayList<>();

  @Setup
  public void setup() throws Exception {
    dir = Files.createTempDirectory("lafs-repair-mutable-bench");
    DiskGrid.init(dir.resolve("grid"), 10);
    servers = new ArrayList<>(DiskGrid.open(dir.resolve("grid")));
    byte[] secret = new byte[32];
    Grid grid = Grid.builder().servers(servers).convergenceSecret(secret).leaseSecret(secret).build();
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(7);
    MutablePublisher publisher = MutablePublisher.builder().encoding(3, 10).random(random).build();
    Random r = new Random(7);
    for (int i = 0; i < FILES; i++) {
      byte[] plaintext = new byte[2000];
      r.nextBytes(plaintext);
      caps.add(publisher.create(MutableFormat.SDMF, null, plaintext, servers));
    }
    repairer = Repairer.builder(grid).build();
  }

  @Benchmark
  @OperationsPerInvocation(FILES)
  public int checkSmallMutableFiles() throws Exception {
    int healthy = 0;
    for (MutableWriteCap c : caps) {
      if (repairer.checker().check(c, false).healthy()) {
        healthy++;
      }
    }
    if (healthy != FILES) {
      throw new IllegalStateException("unhealthy small files: " + (FILES - healthy));
    }
    return healthy;
  }

  @TearDown
  public void tearDown() throws Exception {
    repairer.close();
    for (StorageServer s : servers) {
      s.close();
    }
    try (Stream<Path> w = Files.walk(dir)) {
      for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
