package org.lafsrepair.cap;

import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.spi.StorageIndex;

/**
 * A directory read or write cap: the inner file cap's string with a {@code URI:DIR2...} prefix
 * ({@code URI:DIR2:}↔SSK, {@code URI:DIR2-RO:}↔SSK-RO, {@code URI:DIR2-MDMF:}↔MDMF,
 * {@code URI:DIR2-MDMF-RO:}↔MDMF-RO, {@code URI:DIR2-CHK:}↔CHK, {@code URI:DIR2-LIT:}↔LIT). The
 * directory's shares are the inner file's shares.
 */
public record DirectoryCap(Cap inner) implements Cap {

  public DirectoryCap {
    Objects.requireNonNull(inner, "inner");
    if (!(inner instanceof LiteralCap || inner instanceof ChkReadCap
        || inner instanceof MutableWriteCap || inner instanceof MutableReadCap)) {
      throw new IllegalArgumentException(
          "a directory read/write cap wraps a LIT, CHK, SSK/MDMF write or read cap, not "
              + inner.kind());
    }
  }

  /** The prefix for this cap's inner kind, e.g. {@code "URI:DIR2-MDMF-RO:"}. */
  public String prefix() {
    if (inner instanceof LiteralCap) {
      return "URI:DIR2-LIT:";
    }
    if (inner instanceof ChkReadCap) {
      return "URI:DIR2-CHK:";
    }
    if (inner instanceof MutableWriteCap w) {
      return "URI:" + w.mutableFormat().directoryName("") + ":";
    }
    return "URI:" + ((MutableReadCap) inner).mutableFormat().directoryName("RO") + ":";
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
  public Optional<StorageIndex> storageIndex() {
    return inner.storageIndex();
  }

  @Override
  public Optional<VerifyCap> verifyCap() {
    return inner.verifyCap().map(DirectoryVerifyCap::new);
  }

  @Override
  public Optional<Cap> readCap() {
    return inner.readCap().map(DirectoryCap::new);
  }

  @Override
  public boolean isMutable() {
    return inner.isMutable();
  }

  @Override
  public boolean isWritable() {
    return inner.isWritable();
  }

  @Override
  public boolean isDirectory() {
    return true;
  }

  @Override
  public Cap fileCap() {
    return inner;
  }

  @Override
  public String toString() {
    return format();
  }
}
