package org.lafsrepair.mutable;

/**
 * Fewer than k good shares could be read for a version (or no recoverable version exists): the
 * file cannot be downloaded or rebuilt from the servers asked.
 */
public final class UnrecoverableVersionException extends Exception {
  private static final long serialVersionUID = 1L;

  public UnrecoverableVersionException(String message) {
    super(message);
  }
}
