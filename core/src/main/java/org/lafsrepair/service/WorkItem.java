package org.lafsrepair.service;

import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.spi.StorageIndex;

/**
 * One unit of repair work: a cap (verify cap, or any cap that diminishes to one) or a bare storage
 * index. Immutable; {@link #text()} is the canonical form written to queues and reports.
 *
 * @param text the cap or the 26-character base32 storage index, trimmed
 * @param storageIndex present when the item is a bare storage index (the weaker,
 *     storage-index-only mode)
 */
public record WorkItem(String text, Optional<StorageIndex> storageIndex) {
  /** Longest accepted line; real caps are a few hundred characters. */
  public static final int MAX_LENGTH = 2048;

  public WorkItem {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(storageIndex, "storageIndex");
    if (text.isEmpty() || text.length() > MAX_LENGTH || !text.strip().equals(text)) {
      throw new IllegalArgumentException("work item text must be 1.." + MAX_LENGTH
          + " characters without surrounding whitespace");
    }
    if (storageIndex.isPresent() && !storageIndex.get().toBase32().equals(text)) {
      throw new IllegalArgumentException("storage index does not match text " + text);
    }
  }

  /** The storage-index-only item for {@code si}. */
  public static WorkItem of(StorageIndex si) {
    return new WorkItem(si.toBase32(), Optional.of(si));
  }

  /** True when the item is a cap rather than a bare storage index. */
  public boolean isCap() {
    return storageIndex.isEmpty();
  }

  /**
   * Parses one queue line: a 26-character base32 storage index, or a Tahoe cap ({@code URI:...}).
   * Surrounding whitespace is ignored.
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
    if (t.startsWith("URI:")) {
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c <= ' ' || c >= 0x7f) {
          throw new InvalidWorkItemException(shown, "cap contains an invalid character at " + i);
        }
      }
      return new WorkItem(t, Optional.empty());
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
    return text;
  }
}
