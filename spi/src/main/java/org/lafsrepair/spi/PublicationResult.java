package org.lafsrepair.spi;

/** What {@link StorageServer#publishMutableShare} did. */
public enum PublicationResult {
  /** The share was stored in a slot that had none for this storage index (now bound to its key). */
  CREATED_SLOT,
  /** The share was stored in an existing slot (new share number, or replacing a stale or bad one). */
  WRITTEN,
  /** The identical share was already there; nothing changed (an idempotent retry). */
  ALREADY_PRESENT
}
