package org.lafsrepair.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.service.Assessment;
import org.lafsrepair.service.DirectoryWorkQueue;
import org.lafsrepair.service.RepairEngine;
import org.lafsrepair.service.RepairOutcome;
import org.lafsrepair.service.RepairService;
import org.lafsrepair.service.RepairerEngine;
import org.lafsrepair.service.RetryPolicy;
import org.lafsrepair.service.WorkItem;
import org.lafsrepair.service.WorkerStats;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 9's benchmark: the repair service draining a work-queue directory of {@value #FILES}
 * small (one-segment) CHK files, each with one share lost, on the local disk grid, with 2
 * threads. The score is time per file; files/s is its inverse. {@code engine=noop} measures the
 * queue and service alone (crash-safe journal, fsyncs, leases) with an engine that does nothing,
 * so the two runs separate queue overhead from repair work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@OperationsPerInvocation(RepairServiceBenchmark.FILES)
public class RepairServiceBenchmark {
  static final int FILES = 5000;

  @Param({"repairer", "noop", "repair-only"})
  public String engine;

  @Param({"2"})
  public int threads;

  /** The repairer's post-repair check: true re-reads every share, false reuses this repair's verdicts. */
  @Param({"true", "false"})
  public boolean freshPostCheck;

  /** Caps per work file: 100 (manifest-like batches); run with -p linesPerFile=1 for one each. */
  @Param({"100"})
  public int linesPerFile;

  private Path root;
  private Path queueDir;
  private Grid grid;
  private Repairer repairer;
  private final List<Cap> caps = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUpGrid() throws Exception {
    root = Files.createTempDirectory("lafs-service-bench");
    if (!engine.equals("noop")) {
      // Uploading 5,000 files takes minutes on a slow disk, so the grid is kept between runs
      // (under -Dlafsrepair.bench.dir, default the temp dir); each iteration re-damages it.
      Path base = Path.of(System.getProperty("lafsrepair.bench.dir",
          System.getProperty("java.io.tmpdir")));
      Path gridDir = base.resolve("lafs-repair-service-bench-grid-" + FILES);
      Path capsFile = gridDir.resolve("caps.txt");
      boolean reuse = Files.isRegularFile(capsFile);
      if (!reuse) {
        for (int i = 0; i < 10; i++) {
          Files.createDirectories(gridDir.resolve(String.format("server-%02d", i))
              .resolve("storage"));
        }
      }
      grid = Grid.localDirectory(gridDir);
      repairer = Repairer.builder(grid).freshPostCheck(freshPostCheck).build();
      if (reuse) {
        for (String line : Files.readAllLines(capsFile)) {
          caps.add(Caps.parse(line));
        }
      } else {
        Random rnd = new Random(1);
        Uploader up = new Uploader(grid);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < FILES; i++) {
          byte[] data = new byte[2000];
          rnd.nextBytes(data);
          Cap cap = up.uploadChk(PlaintextSource.of(data));
          caps.add(cap);
          b.append(cap.format()).append('\n');
        }
        Path tmp = gridDir.resolve(".caps.txt.tmp");
        Files.writeString(tmp, b);
        Files.move(tmp, capsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      if (caps.size() != FILES) {
        throw new IllegalStateException(capsFile + " holds " + caps.size() + " caps");
      }
    }
  }

  @Setup(Level.Iteration)
  public void damageAndEnqueue() throws Exception {
    queueDir = root.resolve("queue-" + System.nanoTime());
    List<WorkItem> items = new ArrayList<>();
    if (!engine.equals("noop")) {
      for (Cap cap : caps) {
        loseOneShare(cap.storageIndex().orElseThrow());
        items.add(WorkItem.of(cap.verifyCap().orElseThrow()));
      }
    } else {
      for (int i = 0; i < FILES; i++) {
        byte[] si = new byte[16];
        si[0] = (byte) (i >>> 8);
        si[1] = (byte) i;
        items.add(WorkItem.of(StorageIndex.of(si)));
      }
    }
    for (int i = 0; i < items.size(); i += linesPerFile) {
      DirectoryWorkQueue.enqueue(queueDir, items.subList(i, Math.min(items.size(),
          i + linesPerFile)));
    }
  }

  /** Leaves the file exactly one share short (a reused grid may already be). */
  private void loseOneShare(StorageIndex si) throws Exception {
    StorageServer holder = null;
    ShareInfo victim = null;
    int count = 0;
    for (StorageServer s : grid.permutedServers(si)) {
      List<ShareInfo> shares = s.listShares(si);
      count += shares.size();
      if (!shares.isEmpty() && victim == null) {
        holder = s;
        victim = shares.get(0);
      }
    }
    if (count >= 10 && holder != null) {
      holder.deleteShare(si, victim.shareNumber(), ShareKind.IMMUTABLE);
    }
  }

  @Benchmark
  public WorkerStats drain() throws Exception {
    RepairEngine e = switch (engine) {
      case "repairer" -> new RepairerEngine(repairer);
      case "repair-only" -> new RepairOnlyEngine(new RepairerEngine(repairer));
      default -> new NoopEngine();
    };
    RepairService s = RepairService.builder().engine(e).queue(DirectoryWorkQueue.open(queueDir))
        .threads(threads).retryPolicy(RetryPolicy.NONE).stopWhenDrained(true)
        .pollInterval(java.time.Duration.ofMillis(50)).build();
    s.startAsync().awaitTerminated();
    WorkerStats st = s.stats();
    long done = st.repaired() + st.healthy();
    if (done != FILES || st.failed() != 0) {
      throw new IllegalStateException("drained " + done + " of " + FILES + ", " + st.failed()
          + " failed");
    }
    return st;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (repairer != null) {
      repairer.close();
    }
    if (grid != null) {
      grid.close();
    }
    try (Stream<Path> w = Files.walk(root)) {
      for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * The real repair without the ranking check (every file goes straight to {@code
   * Repairer.repair}): measures what the risk ordering's share listing costs.
   */
  static final class RepairOnlyEngine implements RepairEngine {
    private final RepairerEngine inner;

    RepairOnlyEngine(RepairerEngine inner) {
      this.inner = inner;
    }

    @Override
    public Assessment check(WorkItem item) {
      return new Assessment(Assessment.Health.NEEDS_REPAIR, 9, 3, 10, 0, Optional.empty());
    }

    @Override
    public RepairOutcome repair(WorkItem item, Assessment a)
        throws org.lafsrepair.service.RepairEngineException, InterruptedException {
      return inner.repair(item, a);
    }
  }

  /** Finds every file in need of repair and repairs it instantly. */
  static final class NoopEngine implements RepairEngine {
    @Override
    public Assessment check(WorkItem item) {
      return new Assessment(Assessment.Health.NEEDS_REPAIR, 9, 3, 10, 0, Optional.empty());
    }

    @Override
    public RepairOutcome repair(WorkItem item, Assessment a) {
      return RepairOutcome.repaired(0, 1);
    }
  }
}
