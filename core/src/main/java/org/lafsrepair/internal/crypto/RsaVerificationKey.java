package org.lafsrepair.internal.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A mutable file's RSA-2048 verification key with the exact DER SubjectPublicKeyInfo bytes it
 * came from (the fingerprint's preimage). Immutable and thread-safe.
 */
public final class RsaVerificationKey {
  private static final int MAX_DER = 2048;
  /** SubjectPublicKeyInfo and RSAPublicKey nest at most 2 deep; anything deeper is hostile. */
  private static final int MAX_DEPTH = 3;

  private final byte[] spki;
  private final RSAPublicKey key;

  private RsaVerificationKey(byte[] spki, RSAPublicKey key) {
    this.spki = spki;
    this.key = key;
  }

  /**
   * Parses DER SubjectPublicKeyInfo (as stored in mutable shares): one DER object with nothing
   * after it, algorithm rsaEncryption, a 2048-bit modulus.
   */
  public static RsaVerificationKey fromSpki(byte[] der) throws KeyFormatException {
    Objects.requireNonNull(der, "der");
    if (der.length > MAX_DER) {
      throw new KeyFormatException("public key is " + der.length + " bytes, too long for RSA-2048");
    }
    byte[] copy = der.clone();
    DerShape.check(copy, MAX_DEPTH, "public key");
    SubjectPublicKeyInfo info;
    try {
      info = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(copy));
    } catch (IOException | RuntimeException e) {
      throw new KeyFormatException("not a DER SubjectPublicKeyInfo: " + e.getMessage(), e);
    }
    if (info == null
        || !PKCSObjectIdentifiers.rsaEncryption.equals(info.getAlgorithm().getAlgorithm())) {
      throw new KeyFormatException("public key is not an RSA key");
    }
    byte[] body;
    try {
      body = info.getPublicKeyData().getOctets();
    } catch (RuntimeException e) {
      throw new KeyFormatException("public key BIT STRING is not octet-aligned", e);
    }
    DerShape.check(body, MAX_DEPTH, "RSA public key body");
    PublicKey pk;
    try {
      pk = RsaPss.keyFactory().generatePublic(new X509EncodedKeySpec(copy));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyFormatException("invalid RSA public key: " + e.getMessage(), e);
    }
    if (!(pk instanceof RSAPublicKey rsa)) {
      throw new KeyFormatException("public key is not an RSA key");
    }
    int bits = rsa.getModulus().bitLength();
    if (bits != RsaPss.KEY_BITS) {
      throw new KeyFormatException("RSA public key is " + bits + " bits; Tahoe requires 2048");
    }
    BigInteger e = rsa.getPublicExponent();
    if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
      throw new KeyFormatException("RSA public exponent must be odd and at least 3");
    }
    return new RsaVerificationKey(copy, rsa);
  }

  static RsaVerificationKey fromModulusAndExponent(BigInteger n, BigInteger e)
      throws KeyFormatException {
    try {
      PublicKey pk = RsaPss.keyFactory().generatePublic(new RSAPublicKeySpec(n, e));
      return fromSpki(pk.getEncoded());
    } catch (GeneralSecurityException | RuntimeException ex) {
      throw new KeyFormatException("invalid RSA public key: " + ex.getMessage(), ex);
    }
  }

  /** A copy of the exact DER SubjectPublicKeyInfo bytes (294 for Tahoe's keys). */
  public byte[] spki() {
    return spki.clone();
  }

  /** The JCA key. */
  public RSAPublicKey publicKey() {
    return key;
  }

  /**
   * Whether {@code signature} is a valid RSASSA-PSS-SHA256 (salt 32) signature of {@code
   * message}. Any malformed signature (wrong length, out of range, bad padding) is simply
   * invalid: this never throws on hostile input.
   */
  public boolean verify(byte[] message, byte[] signature) {
    Objects.requireNonNull(message, "message");
    if (signature == null || signature.length != RsaPss.SIGNATURE_LENGTH) {
      return false;
    }
    Signature s = RsaPss.signature();
    try {
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RsaVerificationKey other && MessageDigest.isEqual(spki, other.spki);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(spki);
  }

  @Override
  public String toString() {
    return "RsaVerificationKey[" + spki.length + " bytes]";
  }
}
