package org.lafsrepair.mutable;

/** The two mutable share layouts (tahoe-formats.md §7.1, §7.2), by their version byte. */
public enum MutableFormat {
  /** Small Distributed Mutable File: one segment, one IV in the signed prefix (version 0). */
  SDMF(0),
  /** Medium Distributed Mutable File: 128 KiB segments with a salt each (version 1). */
  MDMF(1);

  private final int versionByte;

  MutableFormat(int versionByte) {
    this.versionByte = versionByte;
  }

  /** The first byte of every share of this format. */
  public int versionByte() {
    return versionByte;
  }
}
