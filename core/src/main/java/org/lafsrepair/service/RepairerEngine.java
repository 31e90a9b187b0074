package org.lafsrepair.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.repair.CheckResult;
import org.lafsrepair.repair.RepairException;
import org.lafsrepair.repair.RepairResult;
import org.lafsrepair.repair.Repairer;

/**
 * The {@link RepairEngine} over a {@link Repairer}: the check lists shares (cheap; enough to rank
 * by spare shares and to spot files with fewer than k shares left), and the repair phase runs
 * {@link Repairer#repair}, which verifies every share, rebuilds what is missing or bad, and checks
 * again. So every item is verified before it counts as healthy, and an unhealthy one is verified
 * twice (before and after the repair), never three times. Literal caps are healthy: their data is
 * in the cap.
 *
 * <p>Thread-safe as the {@link Repairer} is. The repairer is not closed by this engine.
 */
public final class RepairerEngine implements RepairEngine {
  private final Repairer repairer;

  public RepairerEngine(Repairer repairer) {
    this.repairer = Objects.requireNonNull(repairer, "repairer");
  }

  @Override
  public Assessment check(WorkItem item) throws RepairEngineException, InterruptedException {
    if (item.storageIndex().isEmpty()) {
      return new Assessment(Assessment.Health.HEALTHY, 0, 0, 0, 0, Optional.empty());
    }
    Repairer.Target target = target(item);
    CheckResult c;
    try {
      c = repairer.checker().check(target, false);
    } catch (RepairException e) {
      throw new RepairEngineException(e.getMessage(), e);
    }
    int needed = Math.max(0, c.needed());
    int total = Math.max(needed, c.expected());
    int good = Math.max(0, c.goodShares());
    Assessment.Health health = c.recoverable()
        ? Assessment.Health.NEEDS_REPAIR
        : Assessment.Health.UNRECOVERABLE;
    return new Assessment(health, good, needed, total, estimateBytes(target, good, total),
        Optional.of(target));
  }

  @Override
  public RepairOutcome repair(WorkItem item, Assessment assessment)
      throws RepairEngineException, InterruptedException {
    Repairer.Target target = assessment.detail().filter(Repairer.Target.class::isInstance)
        .map(Repairer.Target.class::cast).orElse(null);
    if (target == null) {
      target = target(item);
    }
    RepairResult r;
    try {
      r = repairer.repair(target, Repairer.RepairOptions.DEFAULT);
    } catch (RepairException e) {
      throw new RepairEngineException(e.getMessage(), e);
    }
    return outcomeOf(r);
  }

  /** How a repair result maps onto the service's outcomes. */
  static RepairOutcome outcomeOf(RepairResult r) {
    if (!r.pre().recoverable()) {
      return RepairOutcome.unrecoverable(r.pre().summary() + problems(r));
    }
    if (!r.attempted()) {
      if (r.pre().healthy()) {
        return new RepairOutcome(Outcome.HEALTHY, 0, 0, Optional.empty());
      }
      return RepairOutcome.failed("not healthy and not repaired: " + r.pre().summary()
          + problems(r));
    }
    if (!r.successful()) {
      return new RepairOutcome(Outcome.FAILED, r.bytesWritten(), r.written().size(),
          Optional.of("still not healthy after repair: " + r.post().summary() + problems(r)));
    }
    return new RepairOutcome(Outcome.REPAIRED, r.bytesWritten(), r.written().size(),
        Optional.empty());
  }

  private static String problems(RepairResult r) {
    List<String> p = new ArrayList<>(r.problems());
    return p.isEmpty() ? "" : " (" + String.join("; ", p) + ")";
  }

  private static Repairer.Target target(WorkItem item) throws RepairEngineException {
    try {
      if (item.cap().isPresent()) {
        return Repairer.Target.of(item.cap().get());
      }
      return Repairer.Target.of(item.storageIndex().orElseThrow());
    } catch (RepairException e) {
      throw new RepairEngineException(e.getMessage(), e);
    }
  }

  /** Missing shares times the share size the cap implies; 0 when the cap does not say. */
  private static long estimateBytes(Repairer.Target target, int good, int total) {
    if (target.cap().isPresent() && target.cap().get() instanceof ChkVerifyCap chk) {
      long perShare = (chk.size() + chk.k() - 1) / chk.k();
      return Math.max(0, total - good) * perShare;
    }
    return 0;
  }
}
