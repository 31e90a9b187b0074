package org.lafsrepair.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --queue QDIR} option of the work-queue commands (docs/cli.md "Work-queue"). */
final class QueueOption {
  @Option(names = "--queue", required = true, paramLabel = "QDIR",
      description = "work-queue directory")
  Path dir;
}
