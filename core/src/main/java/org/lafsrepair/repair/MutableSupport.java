package org.lafsrepair.repair;

import org.lafsrepair.cap.VerifyCap;

/** Routes mutable files to the mutable-file engine. */
final class MutableSupport {
  private MutableSupport() {}

  static FileJob job(ImmutableEngine.Settings settings, VerifyCap cap) throws RepairException {
    throw new RepairException("mutable not wired yet");
  }

  static FileJob storageIndexOnlyJob(ImmutableEngine.Settings settings, org.lafsrepair.spi.StorageIndex si,
      java.util.List<ShareLocator.Answer> answers) throws RepairException {
    throw new RepairException("mutable not wired yet");
  }
}
