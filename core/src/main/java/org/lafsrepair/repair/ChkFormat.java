package org.lafsrepair.repair;

import org.lafsrepair.cap.ChkVerifyCap;

/** Binds the CHK format code to the engine's {@link ImmutableFormat} seam. */
final class ChkFormat {
  private ChkFormat() {}

  static ImmutableFormat of(ChkVerifyCap cap) throws RepairException {
    throw new RepairException("CHK format not wired yet");
  }
}
