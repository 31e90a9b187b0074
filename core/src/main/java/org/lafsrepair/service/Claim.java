package org.lafsrepair.service;

import java.util.Objects;

/**
 * A leased claim on one work item, handed out by {@link WorkQueue#claim}. The claim holds while
 * the claiming worker keeps its lease alive with {@link WorkQueue#heartbeat}; it ends with {@link
 * WorkQueue#complete}, {@link WorkQueue#retryLater} or {@link WorkQueue#release}.
 *
 * @param attempt 1 for the first try, incremented each time the item was given back with {@link
 *     WorkQueue#retryLater}
 */
public record Claim(ItemId id, WorkItem item, int attempt) {
  public Claim {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(item, "item");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
    }
  }
}
