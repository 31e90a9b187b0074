package org.lafsrepair.service;

import java.util.Objects;

/**
 * Where an item lives in its queue: the unit that holds it (a work file's name for the directory
 * queue, a row or batch id for other queues) and its 1-based position (the line number).
 */
public record ItemId(String unit, int line) implements Comparable<ItemId> {
  public ItemId {
    Objects.requireNonNull(unit, "unit");
    if (unit.isEmpty()) {
      throw new IllegalArgumentException("empty unit");
    }
    if (line < 1) {
      throw new IllegalArgumentException("line must be >= 1, got " + line);
    }
  }

  @Override
  public int compareTo(ItemId o) {
    int c = unit.compareTo(o.unit);
    return c != 0 ? c : Integer.compare(line, o.line);
  }

  @Override
  public String toString() {
    return unit + ":" + line;
  }
}
