package org.lafsrepair.repair;

/**
 * A check or repair could not be carried out at all (for example: no server answered, or the
 * storage index holds nothing recognisable). A file that is merely unhealthy or unrecoverable is
 * a result, not an exception.
 */
public final class RepairException extends Exception {
  private static final long serialVersionUID = 1L;

  public RepairException(String message) {
    super(message);
  }

  public RepairException(String message, Throwable cause) {
    super(message, cause);
  }
}
