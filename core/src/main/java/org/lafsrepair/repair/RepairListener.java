package org.lafsrepair.repair;

import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

/**
 * Hooks for hosts that want progress, logs or metrics (bind Micrometer here) without a
 * dependency. Called from repair threads; implementations must be thread-safe and quick. All
 * methods default to doing nothing.
 */
public interface RepairListener {
  RepairListener NONE = new RepairListener() {};

  /** A check finished. */
  default void checked(CheckResult result, long nanos) {}

  /** A share was written, committed and verified. */
  default void shareWritten(StorageIndex si, ServerId server, ShareNumber shnum, long bytes) {}

  /** A redundant or corrupt copy was removed. */
  default void shareRemoved(StorageIndex si, ServerId server, ShareNumber shnum) {}

  /** A repair finished (successfully or not). */
  default void repaired(RepairResult result, long nanos) {}
}
