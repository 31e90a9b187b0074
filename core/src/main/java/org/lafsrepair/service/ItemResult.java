package org.lafsrepair.service;

import java.util.Objects;
import java.util.Optional;

/**
 * The final word on one item: what the {@code submit} future yields, what {@link
 * WorkQueue#complete} records and what a failed file's report lists.
 *
 * @param item the item text as it appeared in the queue
 * @param attempts how many attempts were made (0 for invalid items)
 * @param bytesWritten bytes of share data written by the repair
 * @param sharesWritten shares written by the repair
 * @param reason why the item is not a success, or a note on a success; empty if none
 */
public record ItemResult(
    ItemId id,
    String item,
    Outcome outcome,
    int attempts,
    long bytesWritten,
    int sharesWritten,
    Optional<String> reason) {
  public ItemResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
    if (attempts < 0 || bytesWritten < 0 || sharesWritten < 0) {
      throw new IllegalArgumentException("negative count in " + id);
    }
    if (!outcome.isSuccess() && reason.isEmpty()) {
      throw new IllegalArgumentException(outcome + " needs a reason (" + id + ")");
    }
  }
}
