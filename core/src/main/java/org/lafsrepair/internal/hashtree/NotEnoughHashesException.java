package org.lafsrepair.internal.hashtree;

/** A given hash cannot be checked because its sibling is unknown (the chain is incomplete). */
public final class NotEnoughHashesException extends HashTreeException {
  private static final long serialVersionUID = 1L;

  public NotEnoughHashesException(String message, int node) {
    super(message, node);
  }
}
