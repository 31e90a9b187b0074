package org.lafsrepair.service;

import java.time.Instant;
import java.util.Objects;

/**
 * A worker's cumulative counts and current rates, published with each {@link
 * WorkQueue#heartbeat} so that {@link WorkQueue#status} (possibly in another process) can report
 * them.
 *
 * @param itemsPerSecond items finished per second over the recent window
 * @param bytesPerSecond repair bytes written per second over the recent window
 */
public record WorkerStats(
    Instant started,
    long healthy,
    long repaired,
    long failed,
    long bytesRepaired,
    int inFlight,
    double itemsPerSecond,
    double bytesPerSecond) {
  public WorkerStats {
    Objects.requireNonNull(started, "started");
    if (healthy < 0 || repaired < 0 || failed < 0 || bytesRepaired < 0 || inFlight < 0) {
      throw new IllegalArgumentException("negative count");
    }
    if (!(itemsPerSecond >= 0) || !(bytesPerSecond >= 0)) {
      throw new IllegalArgumentException("rates must be finite and >= 0");
    }
  }

  /** The stats of a worker that has done nothing yet. */
  public static WorkerStats idle(Instant started) {
    return new WorkerStats(started, 0, 0, 0, 0, 0, 0, 0);
  }
}
