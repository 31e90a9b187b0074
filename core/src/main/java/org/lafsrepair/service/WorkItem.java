package org.lafsrepair.service;

import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.CapFormatException;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.spi.StorageIndex;

/**
 * One unit of repair work: a cap (verify cap, or any cap that diminishes to one) or a bare storage
 * index. Immutable.
 *
 * <p>{@link #text()} is the line as given (what reports show); {@link #toString()} is safe to log:
 * it names the storage index, never the cap, since a work line may hold a read or write cap.
 *
 * @param text the cap or the 26-character base32 storage index, trimmed
 * @param cap the parsed cap; empty for a bare storage index (the weaker, storage-index-only mode)
 * @param storageIndex where the shares live; empty only for literal caps, which store nothing
 */
public record WorkItem(String text, Optional<Cap> cap, Optional<StorageIndex> storageIndex) {
  /** Longest accepted line; real caps are a few hundred characters. */
  public static final int MAX_LENGTH = 2048;

  public WorkItem {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(storageIndex, "storageIndex");
    if (text.isEmpty() || text.length() > MAX_LENGTH || !text.strip().equals(text)) {
      throw new IllegalArgumentException("work item text must be 1.." + MAX_LENGTH
          + " characters without surrounding whitespace");
    }
    if (cap.isEmpty() && storageIndex.isEmpty()) {
      throw new IllegalArgumentException("a work item needs a cap or a storage index");
    }
    if (cap.isPresent() && !cap.get().storageIndex().equals(storageIndex)) {
      throw new IllegalArgumentException("storage index does not match the cap's");
    }
  }

  /** The storage-index-only item for {@code si}. */
  public static WorkItem of(StorageIndex si) {
    return new WorkItem(si.toBase32(), Optional.empty(), Optional.of(si));
  }

  /** The item for {@code cap}; its text is the cap string. */
  public static WorkItem of(Cap cap) {
    return new WorkItem(cap.format(), Optional.of(cap), cap.storageIndex());
  }

  /** True when the item is a cap rather than a bare storage index. */
  public boolean isCap() {
    return cap.isPresent();
  }

  /**
   * Parses one queue line: a Tahoe cap ({@code URI:...}, strictly, by {@link Caps#parse}) or a
   * 26-character base32 storage index. Surrounding whitespace is ignored.
   *
   * @throws InvalidWorkItemException saying why the line is neither
   */
  public static WorkItem parse(String line) throws InvalidWorkItemException {
    Objects.requireNonNull(line, "line");
    String t = line.strip();
    String shown = t.length() > 120 ? t.substring(0, 120) + "..." : t;
    if (t.isEmpty()) {
      throw new InvalidWorkItemException(shown, "empty item");
    }
    if (t.length() > MAX_LENGTH) {
      throw new InvalidWorkItemException(shown, "item longer than " + MAX_LENGTH + " characters");
    }
    if (t.startsWith("URI:") || t.startsWith("ro.") || t.startsWith("imm.")) {
      try {
        Cap cap = Caps.parse(t);
        return new WorkItem(t, Optional.of(cap), cap.storageIndex());
      } catch (CapFormatException e) {
        throw new InvalidWorkItemException(shown, "bad cap: " + e.getMessage());
      }
    }
    if (t.length() == 26) {
      try {
        return of(StorageIndex.parse(t));
      } catch (IllegalArgumentException e) {
        throw new InvalidWorkItemException(shown, "bad storage index: " + e.getMessage());
      }
    }
    throw new InvalidWorkItemException(
        shown, "not a cap (URI:...) nor a 26-character base32 storage index");
  }

  @Override
  public String toString() {
    return storageIndex.map(si -> (cap.isPresent() ? cap.get().kind() : "si") + ":" + si)
        .orElse("lit");
  }
}
