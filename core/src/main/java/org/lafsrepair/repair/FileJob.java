package org.lafsrepair.repair;

/** Check and repair of one file, whatever its format; made by {@link Checker#engineFor}. */
interface FileJob {
  CheckResult check(boolean verify) throws RepairException, InterruptedException;

  RepairResult repair(Repairer.RepairOptions options) throws RepairException, InterruptedException;
}
