package org.lafsrepair.immutable;

import java.util.Objects;

/** Why a candidate share could not be used (corrupt, incompatible, or its server failed). */
public record ShareFailure(ShareCandidate candidate, String reason) {
  public ShareFailure {
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return candidate + ": " + reason;
  }
}
