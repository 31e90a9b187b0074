package org.lafsrepair.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a queue: what is waiting, what live workers hold, what finished.
 *
 * @param queuedItems items waiting for a worker (including ones backing off before a retry)
 * @param runningItems unfinished items in units claimed by live workers
 * @param retryingItems of the queued and running items, those waiting out a retry backoff
 * @param healthyItems items found healthy (cumulative, as reported by workers)
 * @param repairedItems items repaired (cumulative, as reported by workers)
 * @param failedItems items that ended unrecoverable, failed or invalid (cumulative)
 * @param failedUnits units parked as failed (for the directory queue: files in {@code failed/})
 * @param bytesRepaired repair bytes written (cumulative)
 * @param itemsPerSecond current throughput of all live workers
 * @param bytesPerSecond current repair bandwidth of all live workers
 * @param liveWorkers workers holding a live lease
 * @param eta time to drain the queued and running items at the current rate, when there is one
 */
public record QueueStatus(
    Instant asOf,
    long queuedItems,
    long runningItems,
    long retryingItems,
    long healthyItems,
    long repairedItems,
    long failedItems,
    long failedUnits,
    long bytesRepaired,
    double itemsPerSecond,
    double bytesPerSecond,
    int liveWorkers,
    Optional<Duration> eta) {
  public QueueStatus {
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(eta, "eta");
    if (queuedItems < 0 || runningItems < 0 || retryingItems < 0 || healthyItems < 0
        || repairedItems < 0 || failedItems < 0 || failedUnits < 0 || bytesRepaired < 0
        || liveWorkers < 0) {
      throw new IllegalArgumentException("negative count");
    }
  }

  /** Items finished successfully (healthy or repaired). */
  public long doneItems() {
    return healthyItems + repairedItems;
  }

  /** The ETA for {@code remaining} items at {@code itemsPerSecond}, if that rate is positive. */
  static Optional<Duration> etaFor(long remaining, double itemsPerSecond) {
    if (remaining == 0) {
      return Optional.of(Duration.ZERO);
    }
    if (!(itemsPerSecond > 0)) {
      return Optional.empty();
    }
    double seconds = remaining / itemsPerSecond;
    return Optional.of(Duration.ofMillis((long) Math.min(seconds * 1000, Long.MAX_VALUE / 2)));
  }
}
