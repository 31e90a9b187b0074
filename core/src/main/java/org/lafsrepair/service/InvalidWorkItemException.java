package org.lafsrepair.service;

/** A work-queue line that is neither a cap nor a storage index. Carries the offending text. */
public final class InvalidWorkItemException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String text;

  public InvalidWorkItemException(String text, String reason) {
    super(reason);
    this.text = text;
  }

  /** The rejected text (possibly truncated for very long lines). */
  public String text() {
    return text;
  }
}
