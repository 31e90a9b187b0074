package org.lafsrepair.immutable;

/**
 * Shares that each verify against the cap do not make a consistent file: decoded ciphertext does
 * not match the crypttext hashes, or re-encoding does not reproduce the share hash tree. Only a
 * faulty or malicious uploader produces this; no choice of shares helps.
 */
public final class CorruptFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public CorruptFileException(String message) {
    super(message);
  }
}
