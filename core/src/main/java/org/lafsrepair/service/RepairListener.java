package org.lafsrepair.service;

import java.time.Duration;
import java.time.Instant;

/**
 * Events of a {@link RepairService}, for metrics (a Micrometer binder maps these to counters and
 * timers) and logging. Called on worker threads, possibly concurrently; must be fast and must not
 * throw (exceptions are logged and ignored). All methods default to doing nothing.
 */
public interface RepairListener {
  /** A worker claimed {@code claim} from the queue. */
  default void claimed(Claim claim) {}

  /** A check finished in {@code elapsed}. */
  default void checked(Claim claim, Assessment assessment, Duration elapsed) {}

  /** A check or repair threw; {@code phase} is "check" or "repair". */
  default void engineFailed(Claim claim, String phase, Throwable error, Duration elapsed) {}

  /** A repair finished in {@code elapsed}. */
  default void repaired(Claim claim, RepairOutcome outcome, Duration elapsed) {}

  /** A worker waited {@code waited} for the bytes or repairs throttle. */
  default void throttled(Duration waited) {}

  /** An unsuccessful attempt will be retried no earlier than {@code notBefore}. */
  default void retryScheduled(Claim claim, Instant notBefore, String reason) {}

  /** An item reached its final outcome. */
  default void finished(ItemResult result) {}
}
