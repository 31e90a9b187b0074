package org.lafsrepair.cap;

import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.spi.StorageIndex;

/**
 * {@code URI:LIT:<base32 data>}: a small file (55 bytes or fewer when Tahoe made it) stored in the
 * cap itself. Nothing is stored on servers, so there is no storage index and no verify cap.
 */
public record LiteralCap(ImmutableBytes data) implements Cap {
  public static final String PREFIX = "URI:LIT:";

  public LiteralCap {
    Objects.requireNonNull(data, "data");
  }

  /** The file's size in bytes. */
  public long size() {
    return data.length();
  }

  @Override
  public String kind() {
    return "lit";
  }

  @Override
  public String format() {
    return PREFIX + data.toBase32();
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.empty();
  }

  @Override
  public Optional<VerifyCap> verifyCap() {
    return Optional.empty();
  }

  @Override
  public Optional<Cap> readCap() {
    return Optional.of(this);
  }

  @Override
  public boolean isMutable() {
    return false;
  }

  @Override
  public String toString() {
    return format();
  }
}
