package org.lafsrepair.internal.hashtree;

/**
 * A batch of hashes could not be linked to the trusted root of an {@link IncompleteHashTree}.
 * Checked: the hashes come from untrusted storage, so this is an integrity failure, not a bug.
 */
public abstract sealed class HashTreeException extends Exception
    permits BadHashException, NotEnoughHashesException {
  private static final long serialVersionUID = 1L;
  private final int node;

  HashTreeException(String message, int node) {
    super(message);
    this.node = node;
  }

  /** The tree node (breadth-first index, root 0) at which the check failed. */
  public int node() {
    return node;
  }
}
