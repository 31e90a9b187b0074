package org.lafsrepair.repair;

import org.lafsrepair.cap.VerifyCap;

/** Routes mutable files to the mutable-file engine. */
final class MutableSupport {
  private MutableSupport() {}

  static FileJob job(ImmutableEngine.Settings settings, VerifyCap cap) throws RepairException {
    throw new RepairException("mutable not wired yet");
  }
}
