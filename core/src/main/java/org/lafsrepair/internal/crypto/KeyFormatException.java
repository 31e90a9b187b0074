package org.lafsrepair.internal.crypto;

/**
 * An RSA key (PEM, PKCS#1, PKCS#8 or SubjectPublicKeyInfo) that cannot be parsed, or that Tahoe
 * would refuse (not RSA-2048). The message says what is wrong.
 */
public final class KeyFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeyFormatException(String message) {
    super(message);
  }

  public KeyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
