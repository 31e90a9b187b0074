package org.lafsrepair.repair;

import org.lafsrepair.spi.StorageIndex;

/** Storage-index-only mode. */
final class StorageIndexOnly {
  private StorageIndexOnly() {}

  static FileJob job(ImmutableEngine.Settings settings, ImmutableEngine engine, StorageIndex si) throws RepairException {
    throw new RepairException("not wired yet");
  }
}
