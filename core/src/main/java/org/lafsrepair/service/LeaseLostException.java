package org.lafsrepair.service;

/**
 * This worker's lease on a claim ran out (it stalled past the lease duration) and the claim may
 * now belong to another worker; the outcome was not recorded. The item will be (or is being)
 * done by whoever holds it now.
 */
public final class LeaseLostException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ItemId id;

  public LeaseLostException(ItemId id, String message) {
    super(message);
    this.id = id;
  }

  public ItemId id() {
    return id;
  }
}
