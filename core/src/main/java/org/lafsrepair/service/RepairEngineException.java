package org.lafsrepair.service;

/**
 * A check or repair that could not be carried out (I/O, backend, malformed cap). The service
 * records it as {@link Outcome#FAILED} with this message and retries under its policy.
 */
public class RepairEngineException extends Exception {
  private static final long serialVersionUID = 1L;

  public RepairEngineException(String message) {
    super(message);
  }

  public RepairEngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
