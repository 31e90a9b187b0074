package org.lafsrepair.repair;

import java.util.List;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.cap.VerifyCap;
import org.lafsrepair.spi.StorageIndex;

/**
 * Checks files: where their shares are, whether they are good (with {@code verify}, every byte
 * of every share is read and verified), and whether the file is healthy. Obtained from {@link
 * Repairer#checker()}; thread-safe.
 */
public final class Checker {
  private final ImmutableEngine.Settings settings;
  private final ImmutableEngine immutableEngine;
  // Rounds of mutable-file queries (list, read, verify per server), with their own latency memory.
  private final ServerCalls mutableQueries;

  Checker(ImmutableEngine.Settings settings) {
    this.settings = settings;
    this.immutableEngine = new ImmutableEngine(settings);
    this.mutableQueries = new ServerCalls(settings.executor());
  }

  public CheckResult check(Cap cap, boolean verify) throws RepairException, InterruptedException {
    return check(Repairer.Target.of(cap), verify);
  }

  public CheckResult check(VerifyCap cap, boolean verify) throws RepairException, InterruptedException {
    return check(Repairer.Target.of(cap), verify);
  }

  public CheckResult check(StorageIndex si, boolean verify) throws RepairException, InterruptedException {
    return check(Repairer.Target.of(si), verify);
  }

  public CheckResult check(Repairer.Target target, boolean verify) throws RepairException, InterruptedException {
    return engineFor(target).check(verify);
  }

  FileJob engineFor(Repairer.Target target) throws RepairException, InterruptedException {
    if (target.cap().isPresent()) {
      VerifyCap cap = target.cap().get();
      if (cap instanceof ChkVerifyCap chk) {
        return new ImmutableJob(immutableEngine, chk.index(), ChkFormat.of(chk), CheckResult.Mode.VERIFY_CAP,
            List.of(), settings);
      }
      return MutableSupport.job(settings, target, mutableQueries);
    }
    return StorageIndexOnly.job(settings, immutableEngine, mutableQueries, target.storageIndex());
  }
}
