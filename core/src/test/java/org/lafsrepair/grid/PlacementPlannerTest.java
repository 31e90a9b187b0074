package org.lafsrepair.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.ServerId;

class PlacementPlannerTest {
  static ServerId id(int i) {
    byte[] b = new byte[20];
    b[0] = (byte) i;
    return ServerId.of(b);
  }

  static ServerState server(int i, Set<Integer> good) {
    return new ServerState(id(i), good, Set.of(), true, false, true);
  }

  @Test
  void healthyFileNeedsNothing() {
    List<ServerState> servers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      servers.add(server(i, Set.of(i)));
    }
    PlacementPlan plan = PlacementPlanner.plan(10, servers, true);
    assertTrue(plan.isEmpty());
    assertEquals(10, plan.happinessBefore());
    assertEquals(10, plan.happinessAfter());
  }

  @Test
  void missingSharesGoToEmptyServersInPermutedOrder() {
    List<ServerState> servers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      servers.add(server(i, Set.of(i)));
    }
    for (int i = 6; i < 12; i++) {
      servers.add(server(i, Set.of()));
    }
    PlacementPlan plan = PlacementPlanner.plan(10, servers, true);
    assertEquals(4, plan.writes().size());
    for (int j = 0; j < 4; j++) {
      assertEquals(6 + j, plan.writes().get(j).shareNumber().value());
      assertEquals(id(6 + j), plan.writes().get(j).server());
    }
    assertEquals(10, plan.happinessAfter());
    assertTrue(plan.removals().isEmpty());
  }

  @Test
  void doubledUpSharesAreSpreadAndSurplusCopiesRemoved() {
    List<ServerState> servers = new ArrayList<>();
    servers.add(server(0, Set.of(0, 1, 2)));
    servers.add(server(1, Set.of(3, 4, 5, 6, 7, 8, 9)));
    for (int i = 2; i < 10; i++) {
      servers.add(server(i, Set.of()));
    }
    PlacementPlan plan = PlacementPlanner.plan(10, servers, true);
    assertEquals(2, plan.happinessBefore());
    assertEquals(8, plan.writes().size());
    assertEquals(10, plan.happinessAfter());
    assertEquals(8, plan.removals().size());
    plan.removals().forEach(r -> assertEquals(PlacementPlan.Reason.SURPLUS, r.reason()));
  }

  @Test
  void corruptShareIsReplacedInPlaceWhenTheServerCan() {
    List<ServerState> servers = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      servers.add(server(i, Set.of(i)));
    }
    servers.add(new ServerState(id(9), Set.of(), Set.of(9), true, true, true));
    PlacementPlan plan = PlacementPlanner.plan(10, servers, true);
    assertEquals(List.of(new PlacementPlan.Write(org.lafsrepair.spi.ShareNumber.of(9), id(9), true)), plan.writes());
    assertTrue(plan.removals().isEmpty());
  }

  @Test
  void corruptShareThatCannotBeReplacedIsRebuiltElsewhereThenDeleted() {
    List<ServerState> servers = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      servers.add(server(i, Set.of(i)));
    }
    servers.add(new ServerState(id(9), Set.of(), Set.of(9), true, false, true));
    servers.add(server(10, Set.of()));
    PlacementPlan plan = PlacementPlanner.plan(10, servers, true);
    assertEquals(1, plan.writes().size());
    assertEquals(id(10), plan.writes().get(0).server());
    assertEquals(List.of(new PlacementPlan.Removal(org.lafsrepair.spi.ShareNumber.of(9), id(9), PlacementPlan.Reason.CORRUPT)), plan.removals());
  }

  @Test
  void withFewerServersThanSharesEveryShareStillExists() {
    List<ServerState> servers = new ArrayList<>();
    servers.add(server(0, Set.of(0)));
    servers.add(server(1, Set.of()));
    servers.add(server(2, Set.of()));
    PlacementPlan plan = PlacementPlanner.plan(5, servers, true);
    assertEquals(4, plan.writes().size());
    assertEquals(3, plan.happinessAfter());
  }

  /** Whatever the starting state, the plan ends with every share present and never loses one. */
  @Property(tries = 500)
  void planAlwaysRestoresAllSharesAndNeverRemovesALastCopy(@ForAll("states") List<ServerState> servers) {
    int n = 6;
    PlacementPlan plan = PlacementPlanner.plan(n, servers, true);
    Map<ServerId, Set<Integer>> after = new LinkedHashMap<>();
    for (ServerState s : servers) {
      after.put(s.id(), new TreeSet<>(s.good()));
    }
    boolean anyWritable = servers.stream().anyMatch(ServerState::writable);
    for (PlacementPlan.Write w : plan.writes()) {
      ServerState target = servers.stream().filter(s -> s.id().equals(w.server())).findFirst().orElseThrow();
      assertTrue(target.writable(), "writes only to writable servers");
      assertTrue(!target.holds(w.shareNumber().value()) || w.replacesCorrupt(), "no overwrite of an existing copy");
      after.get(w.server()).add(w.shareNumber().value());
    }
    for (PlacementPlan.Removal r : plan.removals()) {
      if (r.reason() == PlacementPlan.Reason.SURPLUS) {
        after.get(r.server()).remove(r.shareNumber().value());
      }
    }
    Map<Integer, Integer> copies = new HashMap<>();
    after.values().forEach(set -> set.forEach(sh -> copies.merge(sh, 1, Integer::sum)));
    for (int sh = 0; sh < n; sh++) {
      final int share = sh;
      boolean existedBefore = servers.stream().anyMatch(s -> s.good().contains(share));
      if (anyWritable || existedBefore) {
        // a share whose every server is read-only and that had no copy cannot be placed
        boolean placeable = existedBefore || servers.stream().anyMatch(s -> s.writable() && (!s.holds(share) || s.canReplace()));
        if (placeable) {
          assertTrue(copies.getOrDefault(sh, 0) > 0, "share " + sh + " present after repair");
        }
      }
      if (existedBefore) {
        assertTrue(copies.getOrDefault(sh, 0) > 0, "never removes the last good copy of " + sh);
      }
    }
    assertEquals(Happiness.of(after), plan.happinessAfter());
    assertTrue(plan.happinessAfter() >= plan.happinessBefore(), "repair never lowers happiness");
  }

  @Provide
  Arbitrary<List<ServerState>> states() {
    Arbitrary<ServerState> one =
        Combinators.combine(
                Arbitraries.integers().between(0, 5).set().ofMaxSize(3),
                Arbitraries.integers().between(0, 5).set().ofMaxSize(2),
                Arbitraries.of(true, true, false),
                Arbitraries.of(true, false),
                Arbitraries.of(true, false))
            .as((good, corrupt, writable, replace, delete) -> {
              Set<Integer> c = new TreeSet<>(corrupt);
              c.removeAll(good);
              return new ServerState(id(0), good, c, writable, replace, delete);
            });
    return one.list().ofMinSize(1).ofMaxSize(9).map(list -> {
      List<ServerState> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        ServerState s = list.get(i);
        out.add(new ServerState(id(i), s.good(), s.corrupt(), s.writable(), s.canReplace(), s.canDelete()));
      }
      return out;
    });
  }
}
