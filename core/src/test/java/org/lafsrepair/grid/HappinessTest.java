package org.lafsrepair.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HappinessTest {
  @Test
  void oneShareEachOnDistinctServersIsFullyHappy() {
    Map<String, List<Integer>> m = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      m.put("s" + i, List.of(i));
    }
    assertEquals(10, Happiness.of(m));
  }

  @Test
  void allSharesOnOneServerGiveHappinessOne() {
    assertEquals(1, Happiness.of(Map.of("a", List.of(0, 1, 2, 3))));
  }

  @Test
  void augmentingPathsFindTheMaximumNotTheGreedyMatching() {
    // Greedy in order would give a->0 and then b has nothing left; the maximum is 2 (a->1, b->0).
    Map<String, List<Integer>> m = new LinkedHashMap<>();
    m.put("a", List.of(0, 1));
    m.put("b", List.of(0));
    assertEquals(2, Happiness.of(m));
    Map<String, Integer> matching = Happiness.matching(m);
    assertEquals(1, matching.get("a"));
    assertEquals(0, matching.get("b"));
  }

  @Test
  void duplicateSharesAcrossServersDoNotCountTwice() {
    Map<String, List<Integer>> m = new LinkedHashMap<>();
    m.put("a", List.of(0));
    m.put("b", List.of(0));
    m.put("c", List.of(0, 1));
    assertEquals(2, Happiness.of(m));
  }

  /** Brute force over all assignments: the reference the fast matching must agree with. */
  @Property(tries = 300)
  void matchingSizeEqualsBruteForceMaximum(
      @ForAll @Size(max = 5) List<@Size(max = 4) Set<@IntRange(max = 5) Integer>> holdings) {
    Map<Integer, Set<Integer>> m = new LinkedHashMap<>();
    for (int i = 0; i < holdings.size(); i++) {
      m.put(i, holdings.get(i));
    }
    assertEquals(brute(new ArrayList<>(m.values()), 0, new HashSet<>()), Happiness.of(m));
    Map<Integer, Integer> matching = Happiness.matching(m);
    assertEquals(matching.size(), new HashSet<>(matching.values()).size(), "shares matched once");
    matching.forEach((server, share) -> assertEquals(true, m.get(server).contains(share)));
  }

  private static int brute(List<Set<Integer>> servers, int i, Set<Integer> used) {
    if (i == servers.size()) {
      return 0;
    }
    int best = brute(servers, i + 1, used);
    for (int sh : servers.get(i)) {
      if (used.add(sh)) {
        best = Math.max(best, 1 + brute(servers, i + 1, used));
        used.remove(sh);
      }
    }
    return best;
  }
}
