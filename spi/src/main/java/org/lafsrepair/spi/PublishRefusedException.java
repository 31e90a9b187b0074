package org.lafsrepair.spi;

import java.util.Objects;

/** The server refused a publish-authority message; nothing was changed. */
public class PublishRefusedException extends StorageException {
  private static final long serialVersionUID = 1L;

  /** Why a message was refused (docs/publish-authority.md, "Server checks"). */
  public enum Reason {
    /** Not a parseable mutable share, or its length differs from its EOF offset. */
    MALFORMED,
    /** The share's (or rebind's) RSA-PSS signature does not verify. */
    BAD_SIGNATURE,
    /** The slot is bound to a different verification key. */
    KEY_MISMATCH,
    /** The slot already holds a newer version (seqnum would go backwards). */
    ROLLBACK,
    /** The slot holds a different version at the same seqnum, or a same-version share that passes the integrity check. */
    CONFLICT,
    /** The integrity check (hash trees) rejects the offered share. */
    CORRUPT,
    /** A rebind names another server, or a seqnum that is not the slot's current one (a replay). */
    STALE,
    /** A rebind for a slot with no valid share. */
    NO_SLOT
  }

  private final Reason reason;

  public PublishRefusedException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
