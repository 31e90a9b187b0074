package org.lafsrepair.grid;

import java.util.List;
import java.util.Objects;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;

/**
 * What a repair will do: shares to write (new, or replacing a corrupt copy in place), and the
 * copies to delete once every write is committed and verified. Computed by {@link
 * PlacementPlanner}; a pure value, so {@code --dry-run} can print it.
 */
public record PlacementPlan(
    List<Write> writes, List<Removal> removals, List<Advisory> advisories, int happinessBefore,
    int happinessAfter) {
  public PlacementPlan {
    writes = List.copyOf(writes);
    removals = List.copyOf(removals);
    advisories = List.copyOf(advisories);
  }

  /** Whether the plan changes anything on any server. */
  public boolean isEmpty() {
    return writes.isEmpty() && removals.isEmpty();
  }

  /** One share to write to one server. */
  public record Write(ShareNumber shareNumber, ServerId server, boolean replacesCorrupt) {
    public Write {
      Objects.requireNonNull(shareNumber);
      Objects.requireNonNull(server);
    }
  }

  /** A copy to delete after all writes are durable and verified. */
  public record Removal(ShareNumber shareNumber, ServerId server, Reason reason) {
    public Removal {
      Objects.requireNonNull(shareNumber);
      Objects.requireNonNull(server);
      Objects.requireNonNull(reason);
    }
  }

  /** A corrupt copy that stays (the server cannot delete it) and is reported to its server. */
  public record Advisory(ShareNumber shareNumber, ServerId server) {}

  /** Why a copy is removed. */
  public enum Reason {
    /** A corrupt copy whose share now has a verified good copy elsewhere. */
    CORRUPT,
    /** A good but redundant copy on a server that is matched to another share (rebalancing). */
    SURPLUS
  }
}
