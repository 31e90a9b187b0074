package org.lafsrepair.immutable;

import java.util.Objects;
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

  @Override
  public String toString() {
    return "sh" + shareNumber.value() + "@" + origin;
  }
}
