package org.lafsrepair.internal.hashtree;

/**
 * A given hash contradicts what the tree already knows (a recomputed parent differs from the
 * known parent, or a duplicate differs), or names a node the tree does not have.
 */
public final class BadHashException extends HashTreeException {
  private static final long serialVersionUID = 1L;

  public BadHashException(String message, int node) {
    super(message, node);
  }
}
