package org.lafsrepair.spi;

/** Which container a share lives in: Tahoe keeps immutable and mutable shares apart. */
public enum ShareKind {
  /** A CHK share in an immutable container (written once through allocate/write/commit). */
  IMMUTABLE,
  /** An SDMF or MDMF share in a mutable container (written through test-and-write). */
  MUTABLE
}
