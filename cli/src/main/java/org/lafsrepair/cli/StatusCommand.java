package org.lafsrepair.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.lafsrepair.service.DirectoryWorkQueue;
import org.lafsrepair.service.QueueStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code status --queue QDIR [--json]}: what is queued, running, done and failed, with rates and
 * an ETA, read from the queue directory and the state its workers publish (so it works from any
 * process, while services run or not).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show what a work-queue directory holds: queued, running, done, failed, ETA.")
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin QueueOption queue;

  @Option(names = "--json", description = "Print the status as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(queue.dir)) {
      throw new CliException(ExitCodes.USAGE, "no queue directory " + queue.dir);
    }
    QueueStatus s;
    try {
      s = DirectoryWorkQueue.readStatus(queue.dir, Clock.systemUTC());
    } catch (IOException e) {
      throw new CliException(ExitCodes.IO, "cannot read queue " + queue.dir + ": " + e, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Reports.JSON.writeValueAsString(json(s)));
    } else {
      out.println("queued:         " + s.queuedItems()
          + (s.retryingItems() > 0 ? " (" + s.retryingItems() + " waiting to retry)" : ""));
      out.println("running:        " + s.runningItems() + " (" + s.liveWorkers() + " worker"
          + (s.liveWorkers() == 1 ? "" : "s") + ")");
      out.println("done:           " + s.doneItems() + " (" + s.repairedItems() + " repaired, "
          + s.healthyItems() + " healthy)");
      out.println("failed:         " + s.failedItems() + " items, " + s.failedUnits()
          + " files in failed/");
      out.println("bytes repaired: " + s.bytesRepaired());
      out.println(String.format("rate:           %.1f items/s, %.0f bytes/s", s.itemsPerSecond(),
          s.bytesPerSecond()));
      out.println("eta:            " + s.eta().map(StatusCommand::human).orElse("unknown"));
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** The JSON shape: an extension of docs/cli.md; keys are a contract once published. */
  static ObjectNode json(QueueStatus s) {
    ObjectNode o = Reports.JSON.createObjectNode();
    o.put("as-of", s.asOf().toString());
    o.put("queued", s.queuedItems());
    o.put("running", s.runningItems());
    o.put("retrying", s.retryingItems());
    o.put("done", s.doneItems());
    o.put("repaired", s.repairedItems());
    o.put("healthy", s.healthyItems());
    o.put("failed", s.failedItems());
    o.put("failed-files", s.failedUnits());
    o.put("bytes-repaired", s.bytesRepaired());
    o.put("items-per-second", s.itemsPerSecond());
    o.put("bytes-per-second", s.bytesPerSecond());
    o.put("workers", s.liveWorkers());
    if (s.eta().isPresent()) {
      o.put("eta-seconds", s.eta().get().toMillis() / 1000.0);
    } else {
      o.putNull("eta-seconds");
    }
    return o;
  }

  private static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }
}
