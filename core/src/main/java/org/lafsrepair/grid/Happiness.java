package org.lafsrepair.grid;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Servers-of-happiness (Tahoe's servers-of-happiness.rst): the size of a maximum matching in the
 * bipartite graph of servers and share numbers, with an edge where a server holds (or will
 * hold) a share. A file with happiness h and k needed shares stays recoverable after the loss of
 * any h - k servers. Computed with augmenting paths (Kuhn), trying servers in the order given so
 * that earlier (better-permuted) servers are matched first and the result is deterministic.
 */
public final class Happiness {
  private Happiness() {}

  /** The maximum matching size for {@code placements} (server → share numbers it holds). */
  public static <S> int of(Map<S, ? extends Collection<Integer>> placements) {
    return matching(placements).size();
  }

  /**
   * A maximum matching, as server → the one share number it is matched to. Servers are tried in
   * the map's iteration order.
   */
  public static <S> Map<S, Integer> matching(Map<S, ? extends Collection<Integer>> placements) {
    List<S> servers = new ArrayList<>(placements.keySet());
    List<int[]> edges = new ArrayList<>(servers.size());
    for (S s : servers) {
      edges.add(placements.get(s).stream().mapToInt(Integer::intValue).sorted().distinct().toArray());
    }
    int[] shareOwner = new int[256]; // share number -> server index, -1 if unmatched
    Arrays.fill(shareOwner, -1);
    for (int si = 0; si < servers.size(); si++) {
      boolean[] seen = new boolean[256];
      augment(si, edges, shareOwner, seen);
    }
    Map<Integer, Integer> serverToShare = new HashMap<>();
    for (int sh = 0; sh < 256; sh++) {
      if (shareOwner[sh] >= 0) {
        serverToShare.put(shareOwner[sh], sh);
      }
    }
    Map<S, Integer> out = new LinkedHashMap<>();
    for (int si = 0; si < servers.size(); si++) {
      Integer sh = serverToShare.get(si);
      if (sh != null) {
        out.put(servers.get(si), sh);
      }
    }
    return out;
  }

  private static boolean augment(int server, List<int[]> edges, int[] shareOwner, boolean[] seen) {
    for (int sh : edges.get(server)) {
      if (sh < 0 || sh > 255 || seen[sh]) {
        continue;
      }
      seen[sh] = true;
      if (shareOwner[sh] < 0 || augment(shareOwner[sh], edges, shareOwner, seen)) {
        shareOwner[sh] = server;
        return true;
      }
    }
    return false;
  }

}
