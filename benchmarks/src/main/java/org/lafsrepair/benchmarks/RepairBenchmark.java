package org.lafsrepair.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.lafsrepair.backend.disk.DiskGrid;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.VerifyCap;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.repair.RepairResult;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.memory.MemoryStorageServer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Whole-file repair through the public {@link Repairer}: a 3-of-10 file of {@code size} bytes
 * with 4 shares lost, on the in-memory or the disk backend. One op = verify all surviving shares,
 * rebuild and write the 4 missing ones, read them back, and a fresh full verify (the CLI's
 * contract). MB/s of file = ops/s × size / 10^6.
 *
 * <p>{@code bound} is the work any repair of this file must do, measured in the same run: decode
 * (3 check blocks → the 3 primaries) and encode the 4 lost rows for every segment, plus SHA-256
 * over every share byte once (verifying the 6 survivors and hashing the 4 new shares). Repair /
 * bound is the efficiency ratio.
 *
 * <p>{@code checkSmallFiles}: a listing check (as Tahoe's checker does) of 300 healthy 4 KiB
 * files; files/s = ops/s × 300.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class RepairBenchmark {
  @Param({"67108864"})
  public int size;

  @Param({"memory", "disk"})
  public String backend;

  /** true: the post-repair check re-reads every share (CLI default); false: only new shares. */
  @Param({"true", "false"})
  public boolean freshPostCheck;

  private Path dir;
  private List<StorageServer> servers;
  private Grid grid;
  private Repairer repairer;
  private VerifyCap cap;
  private StorageIndex si;
  private final List<VerifyCap> small = new ArrayList<>();

  // bound
  private byte[][] checkBlocks;
  private byte[] hashInput;
  private MessageDigest sha256;
  private ErasureCodec codec;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    servers = new ArrayList<>();
    if (backend.equals("disk")) {
      dir = Files.createTempDirectory("lafs-repair-bench");
      DiskGrid.init(dir.resolve("grid"), 10);
      servers.addAll(DiskGrid.open(dir.resolve("grid")));
    } else {
      for (int i = 0; i < 10; i++) {
        byte[] id = new byte[20];
        id[0] = (byte) (i + 1);
        servers.add(MemoryStorageServer.builder().id(ServerId.of(id)).build());
      }
    }
    byte[] secret = new byte[32];
    grid = Grid.builder().servers(servers).convergenceSecret(secret).leaseSecret(secret).build();
    repairer = Repairer.builder(grid).freshPostCheck(freshPostCheck).build();
    Random r = new Random(5);
    byte[] data = new byte[size];
    r.nextBytes(data);
    Cap read = new Uploader(grid).uploadChk(PlaintextSource.of(data), EncodingParameters.DEFAULT, secret);
    cap = read.verifyCap().orElseThrow();
    si = cap.index();
    for (int i = 0; i < 300; i++) {
      byte[] f = new byte[4096];
      r.nextBytes(f);
      small.add(new Uploader(grid).uploadChk(PlaintextSource.of(f)).verifyCap().orElseThrow());
    }
    // bound: one 128 KiB segment's blocks; hashing input one share's worth repeated
    codec = ErasureCodec.of(3, 10);
    int block = 43691;
    byte[][] primary = new byte[3][block];
    for (byte[] b : primary) {
      r.nextBytes(b);
    }
    checkBlocks = codec.encode(primary, 7, 8, 9);
    hashInput = new byte[1 << 20];
    r.nextBytes(hashInput);
    sha256 = MessageDigest.getInstance("SHA-256");
  }

  /** Lose shares 0..3 before each repair. */
  @Setup(Level.Invocation)
  public void damage() throws Exception {
    for (StorageServer s : servers) {
      for (ShareInfo i : s.listShares(si)) {
        if (i.shareNumber().value() < 4) {
          s.deleteShare(si, i.shareNumber(), ShareKind.IMMUTABLE);
        }
      }
    }
  }

  @Benchmark
  public RepairResult repair() throws Exception {
    RepairResult r = repairer.repair(cap);
    if (!r.successful() || r.written().size() != 4) {
      throw new IllegalStateException("repair failed: " + r.problems());
    }
    return r;
  }

  @Benchmark
  public void bound(Blackhole bh) {
    int segments = (size + 131072 + 2) / 131073;
    int[] have = {7, 8, 9};
    for (int s = 0; s < segments; s++) {
      byte[][] primaries = codec.decode(have, checkBlocks, 0, 1, 2);
      bh.consume(codec.encode(primaries, 0, 1, 2, 3));
    }
    long shareBytes = 10L * ((size + 2) / 3);
    for (long done = 0; done < shareBytes; done += hashInput.length) {
      sha256.update(hashInput, 0, (int) Math.min(hashInput.length, shareBytes - done));
    }
    bh.consume(sha256.digest());
  }

  @Benchmark
  public int checkSmallFiles() throws Exception {
    int healthy = 0;
    for (VerifyCap c : small) {
      if (repairer.checker().check(c, false).healthy()) {
        healthy++;
      }
    }
    if (healthy != small.size()) {
      throw new IllegalStateException("unhealthy small files: " + (small.size() - healthy));
    }
    return healthy;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    repairer.close();
    for (StorageServer s : servers) {
      s.close();
    }
    if (dir != null) {
      try (Stream<Path> w = Files.walk(dir)) {
        for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

}
