package org.lafsrepair.repair;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.grid.PlacementPlan;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

/**
 * What a repair found and did (Tahoe's check-and-repair results, docs/cli.md). {@code post} is a
 * fresh check after the repair ({@code pre} again when nothing was attempted).
 *
 * @param attempted whether anything was written or removed (false for healthy files, dry runs and
 *     unrecoverable files)
 * @param successful whether the file is healthy after the repair
 * @param written shares newly written (including in-place replacements)
 * @param replaced the subset of {@code written} that replaced a corrupt copy in place
 * @param removed corrupt or surplus copies deleted after their replacements were verified
 * @param plan the placement plan, present when a repair was planned (also for dry runs)
 * @param problems what went wrong during the repair, in words (servers that failed, etc.)
 */
public record RepairResult(
    StorageIndex storageIndex,
    CheckResult pre,
    CheckResult post,
    boolean attempted,
    boolean successful,
    boolean dryRun,
    List<PlacedShare> written,
    List<PlacedShare> replaced,
    List<PlacedShare> removed,
    long bytesWritten,
    Optional<PlacementPlan> plan,
    List<String> problems) {

  public RepairResult {
    Objects.requireNonNull(storageIndex);
    Objects.requireNonNull(pre);
    Objects.requireNonNull(post);
    written = List.copyOf(written);
    replaced = List.copyOf(replaced);
    removed = List.copyOf(removed);
    Objects.requireNonNull(plan);
    problems = List.copyOf(problems);
  }

  /** A share number on a server. */
  public record PlacedShare(ServerId server, ShareNumber shareNumber) {
    public PlacedShare {
      Objects.requireNonNull(server);
      Objects.requireNonNull(shareNumber);
    }
  }
}
