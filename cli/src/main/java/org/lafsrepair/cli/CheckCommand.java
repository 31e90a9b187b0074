package org.lafsrepair.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.repair.CheckResult;
import org.lafsrepair.repair.RepairException;
import org.lafsrepair.repair.Repairer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code check --grid DIR [--verify] [--json] CAP|SI} (docs/cli.md). Exit 0 healthy, 1 not, 3 unrecoverable. */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Check a file's health.")
final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GridOption grid;

  @Option(names = "--verify", description = "Read and verify every byte of every share.")
  boolean verify;

  @Option(names = "--json", description = "Print the JSON report.")
  boolean json;

  @Parameters(index = "0", paramLabel = "CAP|SI", description = "A cap (diminished to a verify cap) or a storage index.")
  String target;

  @Override
  public Integer call() throws Exception {
    Repairer.Target t = TargetArg.parse(target);
    try (Grid g = grid.open(); Repairer repairer = Repairer.builder(g).build()) {
      CheckResult r = repairer.checker().check(t, verify);
      print(spec.commandLine().getOut(), r, json);
      return exitCode(r);
    } catch (RepairException e) {
      throw new CliException(ExitCodes.IO, "check failed: " + e.getMessage(), e);
    }
  }

  static int exitCode(CheckResult r) {
    if (r.healthy()) {
      return ExitCodes.OK;
    }
    return r.recoverable() ? ExitCodes.NOT_HEALTHY : ExitCodes.UNRECOVERABLE;
  }

  static void print(PrintWriter out, CheckResult r, boolean json) throws Exception {
    if (json) {
      out.println(Reports.JSON.writeValueAsString(Reports.check(r)));
      return;
    }
    out.println("storage index: " + r.storageIndex());
    out.println("mode:          " + r.mode().jsonName() + (r.verified() ? ", verified" : ", listed only"));
    out.println("summary:       " + r.summary());
    out.println("good shares:   " + r.goodShares() + " of " + r.expected() + " (need " + r.needed() + ")");
    out.println("happiness:     " + r.happiness());
    out.println("corrupt:       " + r.corruptShares().size());
    for (CheckResult.ShareLocation c : r.corruptShares()) {
      out.println("  " + c.shareNumber() + " on " + c.server() + ": " + c.reason());
    }
    for (String n : r.notes()) {
      out.println("note: " + n);
    }
  }
}
