package org.lafsrepair.internal.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * Tahoe's mutable-file signature scheme (tahoe-formats.md §1.6): RSA-2048 with e = 65537,
 * RSASSA-PSS over SHA-256 with MGF1-SHA-256 and a fixed salt length of 32 (not the maximum).
 */
public final class RsaPss {
  /** Tahoe accepts only 2048-bit keys. */
  public static final int KEY_BITS = 2048;
  /** Public exponent of keys Tahoe generates. */
  public static final BigInteger PUBLIC_EXPONENT = BigInteger.valueOf(65537);
  /** Signature length in bytes. */
  public static final int SIGNATURE_LENGTH = KEY_BITS / 8;
  /** PSS salt length. */
  public static final int SALT_LENGTH = 32;
  /** Length of the DER SubjectPublicKeyInfo of a 2048-bit key with e = 65537. */
  public static final int SPKI_LENGTH = 294;

  static final PSSParameterSpec PSS =
      new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, SALT_LENGTH, 1);

  private RsaPss() {}

  /** A fresh, configured RSASSA-PSS signature object. */
  static Signature signature() {
    try {
      Signature s = Signature.getInstance("RSASSA-PSS");
      s.setParameter(PSS);
      return s;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks RSASSA-PSS", e);
    }
  }

  static KeyFactory keyFactory() {
    try {
      return KeyFactory.getInstance("RSA");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks RSA", e);
    }
  }
}
