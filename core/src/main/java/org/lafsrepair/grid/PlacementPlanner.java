package org.lafsrepair.grid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;

/**
 * Plans where a repair puts shares so the file reaches full servers-of-happiness, Tahoe's
 * placement idea (servers-of-happiness.rst) extended to what Tahoe's repairer does not do:
 * replacing corrupt shares and rebalancing shares doubled up on one server (Tahoe #543, #2106).
 *
 * <ol>
 *   <li>Match servers to the good shares they hold (maximum matching, earlier servers in the
 *       permuted order first). Matched shares stay where they are.
 *   <li>Every share number that is not matched gets a server of its own: first a server holding
 *       a corrupt copy of it that can replace it in place, then the earliest free writable
 *       server (one not matched, not holding that number). Only when no free server is left does
 *       a share double up, on the least-loaded writable server.
 *   <li>After the writes, copies that are now redundant are removed where the server can delete:
 *       corrupt copies, and good copies on servers matched to another share. Corrupt copies that
 *       cannot be deleted are reported as advisories.
 * </ol>
 *
 * Never removes the last good copy of a share, and never plans to remove anything whose
 * replacement is not part of the plan or already present.
 */
public final class PlacementPlanner {
  private PlacementPlanner() {}

  /**
   * @param n total shares of the file (share numbers 0..n-1)
   * @param servers responding servers in permuted order
   * @param removeSurplus whether to delete redundant good copies after rebalancing
   */
  public static PlacementPlan plan(int n, List<ServerState> servers, boolean removeSurplus) {
    Map<ServerId, ServerState> byId = new LinkedHashMap<>();
    for (ServerState s : servers) {
      byId.put(s.id(), s);
    }
    Map<ServerId, Set<Integer>> goodMap = new LinkedHashMap<>();
    for (ServerState s : servers) {
      Set<Integer> inRange = new TreeSet<>();
      for (int sh : s.good()) {
        if (sh < n) {
          inRange.add(sh);
        }
      }
      goodMap.put(s.id(), inRange);
    }
    Map<ServerId, Integer> matching = Happiness.matching(goodMap);
    int before = matching.size();

    Set<Integer> matchedShares = new HashSet<>(matching.values());
    Map<ServerId, Set<Integer>> finalGood = new LinkedHashMap<>();
    goodMap.forEach((id, shs) -> finalGood.put(id, new TreeSet<>(shs)));
    Map<ServerId, Integer> assigned = new LinkedHashMap<>(matching); // server -> its one share
    List<PlacementPlan.Write> writes = new ArrayList<>();
    Set<String> replacedInPlace = new HashSet<>();

    for (int sh = 0; sh < n; sh++) {
      if (matchedShares.contains(sh)) {
        continue;
      }
      ServerState target = null;
      boolean replace = false;
      // 1. a free server holding a corrupt copy it can replace in place
      for (ServerState s : servers) {
        if (!assigned.containsKey(s.id()) && s.writable() && s.canReplace() && s.corrupt().contains(sh)
            && !s.good().contains(sh) && !s.untouchable().contains(sh)) {
          target = s;
          replace = true;
          break;
        }
      }
      // 2. a free server: earliest in permuted order, not holding this number at all
      if (target == null) {
        for (ServerState s : servers) {
          if (!assigned.containsKey(s.id()) && s.writable() && !s.holds(sh)) {
            target = s;
            break;
          }
        }
      }
      if (target != null) {
        assigned.put(target.id(), sh);
        writes.add(new PlacementPlan.Write(ShareNumber.of(sh), target.id(), replace));
        finalGood.get(target.id()).add(sh);
        if (replace) {
          replacedInPlace.add(target.id() + "/" + sh);
        }
        continue;
      }
      // 4. no free server: the share must still exist somewhere (unless a good copy does)
      final int share = sh;
      boolean exists = goodMap.values().stream().anyMatch(set -> set.contains(share));
      if (exists) {
        continue;
      }
      ServerState leastLoaded = null;
      for (ServerState s : servers) {
        if (!s.writable() || finalGood.get(s.id()).contains(sh)) {
          continue;
        }
        boolean ok = (!s.corrupt().contains(sh) || s.canReplace()) && !s.untouchable().contains(sh);
        if (!ok) {
          continue;
        }
        if (leastLoaded == null || finalGood.get(s.id()).size() < finalGood.get(leastLoaded.id()).size()) {
          leastLoaded = s;
        }
      }
      if (leastLoaded != null) {
        boolean rep = leastLoaded.corrupt().contains(sh);
        writes.add(new PlacementPlan.Write(ShareNumber.of(sh), leastLoaded.id(), rep));
        finalGood.get(leastLoaded.id()).add(sh);
        if (rep) {
          replacedInPlace.add(leastLoaded.id() + "/" + sh);
        }
      }
    }

    Map<Integer, Integer> copiesAfter = new HashMap<>();
    finalGood.values().forEach(set -> set.forEach(sh -> copiesAfter.merge(sh, 1, Integer::sum)));

    List<PlacementPlan.Removal> removals = new ArrayList<>();
    List<PlacementPlan.Advisory> advisories = new ArrayList<>();
    for (ServerState s : servers) {
      for (int sh : s.corrupt()) {
        if (replacedInPlace.contains(s.id() + "/" + sh)) {
          continue;
        }
        if (s.canDelete() && copiesAfter.getOrDefault(sh, 0) > 0) {
          removals.add(new PlacementPlan.Removal(ShareNumber.of(sh), s.id(), PlacementPlan.Reason.CORRUPT));
        } else {
          advisories.add(new PlacementPlan.Advisory(ShareNumber.of(sh), s.id()));
        }
      }
    }
    if (removeSurplus) {
      for (ServerState s : servers) {
        if (!s.canDelete()) {
          continue;
        }
        Integer mine = assigned.get(s.id());
        for (int sh : goodMap.get(s.id())) {
          if (mine != null && mine == sh) {
            continue;
          }
          // Keep the copy unless the share is matched on another server after the plan.
          boolean matchedElsewhere = false;
          for (Map.Entry<ServerId, Integer> e : assigned.entrySet()) {
            if (!e.getKey().equals(s.id()) && e.getValue() == sh) {
              matchedElsewhere = true;
              break;
            }
          }
          if (matchedElsewhere && copiesAfter.get(sh) > 1) {
            removals.add(new PlacementPlan.Removal(ShareNumber.of(sh), s.id(), PlacementPlan.Reason.SURPLUS));
            copiesAfter.merge(sh, -1, Integer::sum);
          }
        }
      }
    }
    Map<ServerId, Set<Integer>> after = new LinkedHashMap<>();
    finalGood.forEach((id, set) -> after.put(id, new TreeSet<>(set)));
    for (PlacementPlan.Removal r : removals) {
      if (r.reason() == PlacementPlan.Reason.SURPLUS) {
        after.get(r.server()).remove(r.shareNumber().value());
      }
    }
    return new PlacementPlan(writes, removals, advisories, before, Happiness.of(after));
  }
}
