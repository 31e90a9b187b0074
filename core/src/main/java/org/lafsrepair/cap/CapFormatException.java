package org.lafsrepair.cap;

/**
 * A string that is not a well-formed Tahoe capability. The message names the cap kind (when it
 * was recognised) and says what is wrong, e.g. {@code "URI:CHK: k must be between 1 and 256, got
 * 0"}; it never repeats the whole cap, since caps are secrets.
 */
public final class CapFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public CapFormatException(String message) {
    super(message);
  }

  public CapFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
