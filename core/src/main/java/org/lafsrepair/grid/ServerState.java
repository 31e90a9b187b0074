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
    Set<Integer> untouchable,
    boolean writable,
    boolean canReplace,
    boolean canDelete) {
  public ServerState {
    Objects.requireNonNull(id);
    good = Set.copyOf(new TreeSet<>(good));
    corrupt = Set.copyOf(new TreeSet<>(corrupt));
    untouchable = Set.copyOf(new TreeSet<>(untouchable));
  }

  /**
   * A server whose shares are all known good or corrupt. {@code untouchable} (other constructor)
   * holds shares that are present but neither: an unknown format version, or unreadable just
   * now. They are never overwritten, replaced or removed, and nothing is placed on top of them.
   */
  public ServerState(ServerId id, Set<Integer> good, Set<Integer> corrupt, boolean writable,
      boolean canReplace, boolean canDelete) {
    this(id, good, corrupt, Set.of(), writable, canReplace, canDelete);
  }

  /** Every share number present on the server, whatever its state. */
  public boolean holds(int shnum) {
    return good.contains(shnum) || corrupt.contains(shnum) || untouchable.contains(shnum);
  }

  public int load() {
    return good.size() + corrupt.size() + untouchable.size();
  }
}
