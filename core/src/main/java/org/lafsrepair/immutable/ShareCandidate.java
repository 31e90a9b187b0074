package org.lafsrepair.immutable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;

/**
 * One place a share may be read from: its number, a source over its data, and a description of
 * where it lives (server and path, for reports). Several candidates may hold the same share number
 * (copies on different servers).
 */
public record ShareCandidate(ShareNumber shareNumber, ShareSource source, String origin) {
  public ShareCandidate {
    Objects.requireNonNull(shareNumber, "shareNumber");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(origin, "origin");
  }

  /**
   * Orders candidates for reading: from each server in turn (callers pass them in permuted
   * order), its first share whose number is not yet covered; then every other copy as a fallback.
   * Reads so spread over as many servers as possible, and copies are tried only after failures.
   */
  public static List<ShareCandidate> spreadAcrossServers(List<List<ShareCandidate>> perServer) {
    List<ShareCandidate> first = new ArrayList<>();
    List<ShareCandidate> rest = new ArrayList<>();
    Set<ShareNumber> seen = new HashSet<>();
    for (List<ShareCandidate> server : perServer) {
      boolean used = false;
      for (ShareCandidate c : server) {
        if (!used && seen.add(c.shareNumber())) {
          first.add(c);
          used = true;
        } else {
          rest.add(c);
        }
      }
    }
    first.addAll(rest);
    return first;
  }

  @Override
  public String toString() {
    return "sh" + shareNumber.value() + "@" + origin;
  }
}
