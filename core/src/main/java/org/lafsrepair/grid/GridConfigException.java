package org.lafsrepair.grid;

/** A grid directory or grid setting is missing or malformed. */
public final class GridConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public GridConfigException(String message) {
    super(message);
  }
}
