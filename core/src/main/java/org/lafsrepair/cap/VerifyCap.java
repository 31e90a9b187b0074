package org.lafsrepair.cap;

import java.util.Optional;
import org.lafsrepair.spi.StorageIndex;

/**
 * A cap that lets its holder find and verify every share of a file, and rebuild lost ones, but
 * not read the plaintext. This is what {@code Repairer.repair} takes.
 */
public sealed interface VerifyCap extends Cap
    permits ChkVerifyCap, MutableVerifyCap, DirectoryVerifyCap {

  /** The storage index (always present for verify caps). */
  StorageIndex index();

  @Override
  default Optional<StorageIndex> storageIndex() {
    return Optional.of(index());
  }

  @Override
  default Optional<VerifyCap> verifyCap() {
    return Optional.of(this);
  }

  @Override
  default Optional<Cap> readCap() {
    return Optional.empty();
  }

  /** The file-level verify cap: the inner cap of a directory verify cap, else this cap. */
  @Override
  default VerifyCap fileCap() {
    return this;
  }
}
