package org.lafsrepair.cap;

import java.util.Objects;
import org.lafsrepair.spi.StorageIndex;

/**
 * A directory verify cap: {@code URI:DIR2-Verifier:}↔SSK-Verifier,
 * {@code URI:DIR2-MDMF-Verifier:}↔MDMF-Verifier, {@code URI:DIR2-CHK-Verifier:}↔CHK-Verifier.
 * Repairing it repairs the inner file.
 */
public record DirectoryVerifyCap(VerifyCap inner) implements VerifyCap {

  public DirectoryVerifyCap {
    Objects.requireNonNull(inner, "inner");
    if (inner instanceof DirectoryVerifyCap) {
      throw new IllegalArgumentException("directory verify caps do not nest");
    }
  }

  /** The prefix for this cap's inner kind, e.g. {@code "URI:DIR2-CHK-Verifier:"}. */
  public String prefix() {
    if (inner instanceof ChkVerifyCap) {
      return "URI:DIR2-CHK-Verifier:";
    }
    return "URI:" + ((MutableVerifyCap) inner).mutableFormat().directoryName("Verifier") + ":";
  }

  @Override
  public StorageIndex index() {
    return inner.index();
  }

  @Override
  public String kind() {
    return "dir-" + inner.kind();
  }

  @Override
  public String format() {
    return prefix() + Caps.body(inner.format());
  }

  @Override
  public boolean isMutable() {
    return inner.isMutable();
  }

  @Override
  public boolean isDirectory() {
    return true;
  }

  @Override
  public VerifyCap fileCap() {
    return inner;
  }

  @Override
  public String toString() {
    return format();
  }
}
