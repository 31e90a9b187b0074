package org.lafsrepair.spi;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Tahoe's per-share {@code (testv, writev, new_length)}: all tests of all shares in one call must
 * pass before any write is applied. {@code newLength} of 0 deletes the share; a smaller length
 * truncates; empty leaves the length as the writes make it.
 */
public record ShareTestAndWrite(List<TestVector> tests, List<WriteVector> writes, OptionalLong newLength) {
  public ShareTestAndWrite {
    tests = List.copyOf(Objects.requireNonNull(tests, "tests"));
    writes = List.copyOf(Objects.requireNonNull(writes, "writes"));
    Objects.requireNonNull(newLength, "newLength");
    if (newLength.isPresent() && newLength.getAsLong() < 0) {
      throw new IllegalArgumentException("newLength must be >= 0");
    }
  }

  /** Writes with no tests and no truncation. */
  public static ShareTestAndWrite writes(List<WriteVector> writes) {
    return new ShareTestAndWrite(List.of(), writes, OptionalLong.empty());
  }
}
