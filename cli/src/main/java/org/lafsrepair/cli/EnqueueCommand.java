package org.lafsrepair.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.lafsrepair.service.DirectoryWorkQueue;
import org.lafsrepair.service.InvalidWorkItemException;
import org.lafsrepair.service.WorkItem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code enqueue --queue QDIR CAP|SI ...}: adds work atomically as one new work file. With
 * {@code -}, also reads items from stdin, one a line (blank lines and {@code #} comments
 * skipped). All items are checked first: if any is malformed nothing is added (exit 2).
 */
@Command(name = "enqueue", mixinStandardHelpOptions = true,
    description = "Add caps or storage indexes to a work-queue directory, atomically.")
final class EnqueueCommand implements Callable<Integer> {
  /** Refuse absurd stdin input rather than run out of memory. */
  static final int MAX_ITEMS = 1_000_000;

  @Spec CommandSpec spec;
  @Mixin QueueOption queue;

  @Parameters(arity = "1..*", paramLabel = "CAP|SI",
      description = "caps or storage indexes; '-' reads them from stdin, one a line")
  List<String> items;

  @Override
  public Integer call() throws Exception {
    List<WorkItem> parsed = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    for (String arg : items) {
      if (arg.equals("-")) {
        readStdin(lines);
      } else {
        lines.add(arg);
      }
    }
    for (String line : lines) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      try {
        parsed.add(WorkItem.parse(t));
      } catch (InvalidWorkItemException e) {
        throw new CliException(ExitCodes.USAGE, "bad item '" + e.text() + "': " + e.getMessage()
            + " (nothing enqueued)");
      }
    }
    if (parsed.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, "no items to enqueue");
    }
    String name;
    try {
      name = DirectoryWorkQueue.enqueue(queue.dir, parsed);
    } catch (IOException e) {
      throw new CliException(ExitCodes.IO, "cannot enqueue into " + queue.dir + ": " + e, e);
    }
    spec.commandLine().getOut().println("enqueued " + parsed.size() + " item"
        + (parsed.size() == 1 ? "" : "s") + " as " + name);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  private static void readStdin(List<String> lines) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      if (lines.size() >= MAX_ITEMS) {
        throw new CliException(ExitCodes.USAGE, "more than " + MAX_ITEMS
            + " lines on stdin; split the work (nothing enqueued)");
      }
      if (line.length() > WorkItem.MAX_LENGTH * 4) {
        line = line.substring(0, WorkItem.MAX_LENGTH + 1);
      }
      lines.add(line);
    }
  }
}
