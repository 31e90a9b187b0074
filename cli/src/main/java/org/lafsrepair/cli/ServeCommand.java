package org.lafsrepair.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.service.DirectoryWorkQueue;
import org.lafsrepair.service.RepairService;
import org.lafsrepair.service.RepairerEngine;
import org.lafsrepair.service.RetryPolicy;
import org.lafsrepair.service.WorkerStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve --grid DIR --queue QDIR [--once] [--threads N] [--max-bytes-per-second B]}: runs
 * the repair service on a work-queue directory until stopped (SIGTERM/SIGINT stop it gracefully)
 * or, with {@code --once}, until the queue is drained. Progress goes to stderr as log lines.
 * Exit 0 when every item finished repaired or healthy, 1 when some item failed or a work file
 * went to failed/ during the run, 4 when the service itself failed.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the repair service on a work-queue directory.")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GridOption grid;

  @Mixin PostCheckOption postCheck;
  @Mixin QueueOption queue;

  @Option(names = "--once", description = "Drain the queue, then exit.")
  boolean once;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
      description = "checks and repairs at once (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--max-bytes-per-second", paramLabel = "B", defaultValue = "0",
      description = "cap on repair bytes written per second (0: none)")
  long maxBytesPerSecond;

  @Option(names = "--max-repairs-per-second", paramLabel = "R", defaultValue = "0",
      description = "cap on repairs started per second (0: none)")
  double maxRepairsPerSecond;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
      description = "attempts for an unrecoverable or failed item before it fails "
          + "(default ${DEFAULT-VALUE})")
  int attempts;

  @Option(names = "--retry-delay", paramLabel = "SECONDS", defaultValue = "60",
      description = "first retry delay, doubling each time up to an hour (default "
          + "${DEFAULT-VALUE})")
  long retryDelaySeconds;

  @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "how long a stop waits for running repairs (default ${DEFAULT-VALUE})")
  long shutdownSeconds;

  @Override
  public Integer call() throws Exception {
    if (threads < 1 || threads > 1024) {
      throw new CliException(ExitCodes.USAGE, "--threads must be 1..1024");
    }
    if (maxBytesPerSecond < 0 || maxRepairsPerSecond < 0 || attempts < 1
        || retryDelaySeconds < 0 || shutdownSeconds < 0) {
      throw new CliException(ExitCodes.USAGE, "limits, retries and delays must not be negative");
    }
    Duration first = Duration.ofSeconds(retryDelaySeconds);
    RetryPolicy retry = new RetryPolicy(attempts, first, 2.0,
        first.compareTo(Duration.ofHours(1)) > 0 ? first : Duration.ofHours(1));
    try (Grid g = grid.open();
        Repairer repairer = Repairer.builder(g).freshPostCheck(postCheck.fresh()).build()) {
      long failedBefore = DirectoryWorkQueue.readStatus(queue.dir, java.time.Clock.systemUTC())
          .failedUnits();
      DirectoryWorkQueue q;
      try {
        q = DirectoryWorkQueue.open(queue.dir);
      } catch (IOException e) {
        throw new CliException(ExitCodes.IO, "cannot open queue " + queue.dir + ": " + e, e);
      }
      try {
        return serve(q, repairer, retry, failedBefore);
      } finally {
        q.close();
      }
    }
  }

  private int serve(DirectoryWorkQueue q, Repairer repairer, RetryPolicy retry, long failedBefore)
      throws Exception {
    RepairService service = RepairService.builder().engine(new RepairerEngine(repairer))
        .queue(q).threads(threads).maxBytesPerSecond(maxBytesPerSecond)
        .maxRepairsPerSecond(maxRepairsPerSecond).retryPolicy(retry)
        .shutdownTimeout(Duration.ofSeconds(shutdownSeconds)).stopWhenDrained(once)
        .progressInterval(Duration.ofSeconds(10)).build();
    Thread hook = new Thread(() -> {
      service.stopAsync();
      try {
        service.awaitTerminated(shutdownSeconds + 10, TimeUnit.SECONDS);
      } catch (TimeoutException | IllegalStateException e) {
        // Exiting anyway: the queue journal makes an abrupt end safe.
      }
    }, "lafs-repair-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      service.startAsync().awaitTerminated();
    } catch (IllegalStateException e) {
      Throwable cause = service.failureCause();
      throw new CliException(ExitCodes.IO, "repair service failed: " + cause, cause);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    WorkerStats s = service.stats();
    spec.commandLine().getErr().println("lafs-repair: serve: " + s.repaired() + " repaired, "
        + s.healthy() + " healthy, " + s.failed() + " failed, " + s.bytesRepaired()
        + " bytes written");
    long failedFiles = DirectoryWorkQueue.readStatus(queue.dir, java.time.Clock.systemUTC())
        .failedUnits() - failedBefore;
    if (failedFiles > 0) {
      spec.commandLine().getErr().println("lafs-repair: serve: " + failedFiles
          + " work file(s) moved to " + queue.dir.resolve(DirectoryWorkQueue.FAILED_DIR));
    }
    return s.failed() > 0 || failedFiles > 0 ? ExitCodes.NOT_HEALTHY : ExitCodes.OK;
  }
}
