package org.lafsrepair.grid;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.lafsrepair.spi.ServerId;

/**
 * What the planner knows about one responding server: the good and corrupt share numbers it
 * holds for the file, whether it accepts new shares, and which optional repairs it supports.
 */
public record ServerState(
    ServerId id,
    Set<Integer> good,
    Set<Integer> corrupt,
    boolean writable,
    boolean canReplace,
    boolean canDelete) {
  public ServerState {
    Objects.requireNonNull(id);
    good = Set.copyOf(new TreeSet<>(good));
    corrupt = Set.copyOf(new TreeSet<>(corrupt));
  }

  /** Every share number present on the server, good or not. */
  public boolean holds(int shnum) {
    return good.contains(shnum) || corrupt.contains(shnum);
  }

  public int load() {
    return good.size() + corrupt.size();
  }
}
