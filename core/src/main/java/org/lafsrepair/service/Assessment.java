package org.lafsrepair.service;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link RepairEngine} check found, enough for the service to rank repairs by risk.
 *
 * @param health the verdict
 * @param goodShares distinct good shares of the best version found
 * @param sharesNeeded k (0 when unknown, for example a storage index with no shares found)
 * @param sharesTotal N (0 when unknown)
 * @param estimatedRepairBytes best guess of bytes a repair will write (used to reserve bandwidth
 *     before the repair starts; the real count settles it afterwards)
 * @param detail engine-private state handed back to {@link RepairEngine#repair} (for example the
 *     check result, so the repair need not look again); never inspected by the service
 */
public record Assessment(
    Health health,
    int goodShares,
    int sharesNeeded,
    int sharesTotal,
    long estimatedRepairBytes,
    Optional<Object> detail) {
  /** The check verdict. */
  public enum Health {
    HEALTHY,
    NEEDS_REPAIR,
    UNRECOVERABLE
  }

  public Assessment {
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(detail, "detail");
    if (goodShares < 0 || sharesNeeded < 0 || sharesTotal < 0 || estimatedRepairBytes < 0) {
      throw new IllegalArgumentException("negative count in assessment");
    }
    if (sharesTotal < sharesNeeded) {
      throw new IllegalArgumentException("N " + sharesTotal + " < k " + sharesNeeded);
    }
  }

  /**
   * Good shares beyond the k needed: 0 means one more lost share makes the file unrecoverable,
   * negative means it already is.
   */
  public int spareShares() {
    return goodShares - sharesNeeded;
  }
}
