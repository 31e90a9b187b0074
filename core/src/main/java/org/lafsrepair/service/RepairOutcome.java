package org.lafsrepair.service;

import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link RepairEngine#repair} call achieved.
 *
 * @param outcome {@link Outcome#REPAIRED}, {@link Outcome#HEALTHY} (nothing needed doing after
 *     all), {@link Outcome#UNRECOVERABLE} or {@link Outcome#FAILED}
 * @param bytesWritten bytes of share data written
 * @param sharesWritten shares written
 * @param reason why it is not a success, or a note
 */
public record RepairOutcome(
    Outcome outcome, long bytesWritten, int sharesWritten, Optional<String> reason) {
  public RepairOutcome {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
    if (outcome == Outcome.INVALID) {
      throw new IllegalArgumentException("an engine cannot report INVALID");
    }
    if (bytesWritten < 0 || sharesWritten < 0) {
      throw new IllegalArgumentException("negative count");
    }
    if (!outcome.isSuccess() && reason.isEmpty()) {
      throw new IllegalArgumentException(outcome + " needs a reason");
    }
  }

  public static RepairOutcome repaired(long bytesWritten, int sharesWritten) {
    return new RepairOutcome(Outcome.REPAIRED, bytesWritten, sharesWritten, Optional.empty());
  }

  public static RepairOutcome unrecoverable(String reason) {
    return new RepairOutcome(Outcome.UNRECOVERABLE, 0, 0, Optional.of(reason));
  }

  public static RepairOutcome failed(String reason) {
    return new RepairOutcome(Outcome.FAILED, 0, 0, Optional.of(reason));
  }
}
