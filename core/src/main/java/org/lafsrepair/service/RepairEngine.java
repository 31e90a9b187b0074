package org.lafsrepair.service;

/**
 * What the service drives: check an item, then (if needed) repair it. Implementations must be
 * safe for concurrent use by the service's worker threads, should honour thread interruption
 * (graceful stop interrupts repairs that outlive the stop timeout), and must be idempotent:
 * repairing an item that a crashed run already repaired is harmless.
 */
public interface RepairEngine {
  /** Checks {@code item}; cheap relative to a repair. */
  Assessment check(WorkItem item) throws RepairEngineException, InterruptedException;

  /**
   * Repairs {@code item}, which {@link #check} found {@link Assessment.Health#NEEDS_REPAIR}.
   *
   * @param assessment the check's result, including its engine-private detail
   */
  RepairOutcome repair(WorkItem item, Assessment assessment)
      throws RepairEngineException, InterruptedException;
}
