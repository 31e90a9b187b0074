package org.lafsrepair.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code lafs-repair}. Exit codes, error lines and JSON shapes follow
 * shared/docs/cli.md (copied to docs/cli.md); subcommands are registered in {@link #commandLine()}.
 */
@Command(
    name = "lafs-repair",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Check, verify and repair files stored the Tahoe-LAFS way.",
    subcommands = {
      CommandLine.HelpCommand.class,
      CapCommand.class,
      CheckCommand.class,
      RepairCommand.class,
      PutCommand.class,
      GetCommand.class,
      GridCommand.class,
      EnqueueCommand.class,
      StatusCommand.class,
      ServeCommand.class,
      DemoCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured picocli command line. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExitCodeExceptionMapper(ExitCodes::forException);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          ex.getCommandLine().getErr().println("lafs-repair: usage: " + ex.getMessage());
          return ExitCodes.USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("lafs-repair: " + ExitCodes.describe(ex));
          return ExitCodes.forException(ex);
        });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"lafs-repair " + (v == null ? "dev" : v)};
    }
  }
}
