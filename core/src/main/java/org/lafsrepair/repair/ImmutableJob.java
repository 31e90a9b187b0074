package org.lafsrepair.repair;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Check and repair of one immutable file through {@link ImmutableEngine}. */
final class ImmutableJob implements FileJob {
  private final ImmutableEngine engine;
  private final org.lafsrepair.spi.StorageIndex si;
  private final ImmutableFormat format;
  private final CheckResult.Mode mode;
  private final List<String> notes;
  private final RepairListener listener;
  private final boolean freshPostCheck;

  ImmutableJob(ImmutableEngine engine, org.lafsrepair.spi.StorageIndex si, ImmutableFormat format,
      CheckResult.Mode mode, List<String> notes, ImmutableEngine.Settings settings) {
    this.engine = engine;
    this.si = si;
    this.format = format;
    this.mode = mode;
    this.notes = List.copyOf(notes);
    this.listener = settings.listener();
    this.freshPostCheck = settings.freshPostCheck();
  }

  @Override
  public CheckResult check(boolean verify) throws InterruptedException {
    long t0 = System.nanoTime();
    CheckResult r = engine.result(engine.survey(si, format, verify), format, mode, notes);
    listener.checked(r, System.nanoTime() - t0);
    return r;
  }

  @Override
  public RepairResult repair(Repairer.RepairOptions options) throws InterruptedException {
    long t0 = System.nanoTime();
    ImmutableEngine.Survey survey = engine.survey(si, format, true);
    CheckResult pre = engine.result(survey, format, mode, notes);
    listener.checked(pre, System.nanoTime() - t0);
    if (pre.healthy()) {
      return new RepairResult(si, pre, pre, false, true, options.dryRun(), List.of(), List.of(), List.of(), 0,
          Optional.empty(), List.of());
    }
    if (!pre.recoverable()) {
      return new RepairResult(si, pre, pre, false, false, options.dryRun(), List.of(), List.of(), List.of(), 0,
          Optional.empty(), List.of("unrecoverable: " + pre.goodShares() + " good shares, " + pre.needed() + " needed"));
    }
    ImmutableEngine.Outcome out = engine.repair(survey, format, options.dryRun());
    if (options.dryRun()) {
      return new RepairResult(si, pre, pre, false, false, true, List.of(), List.of(), List.of(), 0,
          Optional.of(out.plan()), out.problems());
    }
    boolean attempted = !out.written().isEmpty() || !out.removed().isEmpty();
    CheckResult post = freshPostCheck ? check(true) : engine.result(engine.afterRepair(survey, out), format, mode, notes);
    List<String> problems = new ArrayList<>(out.problems());
    if (!post.healthy() && out.plan().isEmpty()) {
      problems.add("no placement improves this file with the servers that answered");
    }
    return new RepairResult(si, pre, post, attempted, post.healthy(), false, out.written(), out.replaced(),
        out.removed(), out.bytesWritten(), Optional.of(out.plan()), problems);
  }
}
