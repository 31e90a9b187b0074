package org.lafsrepair.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.grid.PlacementPlan;
import org.lafsrepair.repair.RepairException;
import org.lafsrepair.repair.RepairResult;
import org.lafsrepair.repair.Repairer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code repair --grid DIR [--json] [--dry-run] CAP|SI}: check with verify, repair if not healthy,
 * check again. Exit 0 healthy afterwards, 1 still not healthy, 3 unrecoverable.
 */
@Command(name = "repair", mixinStandardHelpOptions = true, description = "Verify a file and repair it if needed.")
final class RepairCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GridOption grid;
  @Mixin PostCheckOption postCheck;

  @Option(names = "--json", description = "Print the JSON report.")
  boolean json;

  @Option(names = "--dry-run", description = "Print the plan; change nothing.")
  boolean dryRun;

  @Option(names = "--force", description = "Mutable files: repair the best version even if a newer one is unrecoverable or there are multiple heads.")
  boolean force;

  @Parameters(index = "0", paramLabel = "CAP|SI", description = "A cap (diminished to a verify cap) or a storage index.")
  String target;

  @Override
  public Integer call() throws Exception {
    Repairer.Target t = TargetArg.parse(target);
    try (Grid g = grid.open(); Repairer repairer = Repairer.builder(g).freshPostCheck(postCheck.fresh()).build()) {
      RepairResult r = repairer.repair(t, new Repairer.RepairOptions(dryRun, force));
      print(spec.commandLine().getOut(), r, json);
      return exitCode(r);
    } catch (RepairException e) {
      throw new CliException(ExitCodes.IO, "repair failed: " + e.getMessage(), e);
    }
  }

  static int exitCode(RepairResult r) {
    if (!r.pre().recoverable()) {
      return ExitCodes.UNRECOVERABLE;
    }
    return r.post().healthy() ? ExitCodes.OK : ExitCodes.NOT_HEALTHY;
  }

  static ObjectNode json(RepairResult r) {
    ObjectNode root = Reports.JSON.createObjectNode();
    root.put("storage-index", r.storageIndex().toBase32());
    root.put("repair-attempted", r.attempted());
    root.put("repair-successful", r.successful());
    root.set("pre-repair-results", Reports.check(r.pre()));
    root.set("post-repair-results", Reports.check(r.post()));
    ArrayNode written = root.putArray("shares-written");
    r.written().forEach(p -> written.addArray().add(p.server().toBase32()).add(p.shareNumber().value()));
    ArrayNode replaced = root.putArray("shares-replaced");
    r.replaced().forEach(p -> replaced.addArray().add(p.server().toBase32()).add(p.shareNumber().value()));
    // Extensions: removals, bytes, the plan (always for --dry-run), problems.
    ArrayNode removed = root.putArray("shares-removed");
    r.removed().forEach(p -> removed.addArray().add(p.server().toBase32()).add(p.shareNumber().value()));
    root.put("bytes-written", r.bytesWritten());
    root.put("dry-run", r.dryRun());
    r.plan().ifPresent(p -> root.set("plan", plan(p)));
    ArrayNode problems = root.putArray("problems");
    r.problems().forEach(problems::add);
    return root;
  }

  static ObjectNode plan(PlacementPlan p) {
    ObjectNode o = Reports.JSON.createObjectNode();
    o.put("happiness-before", p.happinessBefore());
    o.put("happiness-after", p.happinessAfter());
    ArrayNode writes = o.putArray("writes");
    for (PlacementPlan.Write w : p.writes()) {
      ObjectNode e = writes.addObject();
      e.put("server", w.server().toBase32());
      e.put("shnum", w.shareNumber().value());
      e.put("replaces-corrupt", w.replacesCorrupt());
    }
    ArrayNode removals = o.putArray("removals");
    for (PlacementPlan.Removal r : p.removals()) {
      ObjectNode e = removals.addObject();
      e.put("server", r.server().toBase32());
      e.put("shnum", r.shareNumber().value());
      e.put("reason", r.reason().name().toLowerCase(java.util.Locale.ROOT));
    }
    return o;
  }

  static void print(PrintWriter out, RepairResult r, boolean json) throws Exception {
    if (json) {
      out.println(Reports.JSON.writeValueAsString(json(r)));
      return;
    }
    out.println("storage index: " + r.storageIndex());
    out.println("before:        " + r.pre().summary() + ", happiness " + r.pre().happiness());
    if (r.dryRun()) {
      r.plan().ifPresent(p -> {
        out.println("plan:          happiness " + p.happinessBefore() + " -> " + p.happinessAfter());
        p.writes().forEach(w -> out.println("  write " + w.shareNumber() + " to " + w.server()
            + (w.replacesCorrupt() ? " (replacing a corrupt copy)" : "")));
        p.removals().forEach(x -> out.println("  then remove " + x.shareNumber() + " from " + x.server()
            + " (" + x.reason().name().toLowerCase(java.util.Locale.ROOT) + ")"));
      });
    } else {
      out.println("after:         " + r.post().summary() + ", happiness " + r.post().happiness());
      out.println("written:       " + describe(r.written()));
      out.println("replaced:      " + describe(r.replaced()));
      out.println("removed:       " + describe(r.removed()));
    }
    r.problems().forEach(p -> out.println("problem: " + p));
    r.post().notes().forEach(n -> out.println("note: " + n));
  }

  private static String describe(List<RepairResult.PlacedShare> shares) {
    if (shares.isEmpty()) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    for (RepairResult.PlacedShare p : shares) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(p.shareNumber()).append("@").append(p.server().toBase32(), 0, 8);
    }
    return sb.toString();
  }
}
