package org.lafsrepair.immutable;

import java.util.List;
import java.util.Objects;
import org.lafsrepair.spi.ShareNumber;

/**
 * The outcome of verifying one immutable share against a verify cap: {@link Good}, {@link Corrupt}
 * (with every problem found) or {@link Incompatible} (an unknown layout version: neither good nor
 * evidence of corruption). Storage failures are not verdicts; the verifier throws them.
 */
public sealed interface ShareVerdict {
  ShareNumber shareNumber();

  default boolean isGood() {
    return this instanceof Good;
  }

  /** Every byte of the share data checked out. */
  record Good(ShareNumber shareNumber, int layoutVersion, long length) implements ShareVerdict {
    public Good {
      Objects.requireNonNull(shareNumber, "shareNumber");
    }
  }

  /** At least one problem; {@code problems} lists each one found, in share order. */
  record Corrupt(ShareNumber shareNumber, List<ShareProblem> problems) implements ShareVerdict {
    public Corrupt {
      Objects.requireNonNull(shareNumber, "shareNumber");
      problems = List.copyOf(problems);
      if (problems.isEmpty()) {
        throw new IllegalArgumentException("a corrupt verdict needs a problem");
      }
    }
  }

  /** The share uses a layout this library does not know (Tahoe's "incompatible"). */
  record Incompatible(ShareNumber shareNumber, String reason) implements ShareVerdict {
    public Incompatible {
      Objects.requireNonNull(shareNumber, "shareNumber");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
