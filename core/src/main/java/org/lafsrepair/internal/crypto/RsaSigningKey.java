package org.lafsrepair.internal.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * A mutable file's RSA-2048 signing key, kept together with the exact PKCS#8 DER bytes it came
 * from: Tahoe's writekey is a hash of those bytes, so they are never re-encoded once known
 * (tahoe-formats.md §1.4, §10.15). Immutable and thread-safe.
 */
public final class RsaSigningKey {
  private static final int MAX_DER = 8192;
  /** PKCS#8 and PKCS#1 RSA keys nest at most 3 deep; anything deeper is hostile. */
  private static final int MAX_DEPTH = 4;

  private final byte[] pkcs8;
  private final RSAPrivateCrtKey key;
  private final RsaVerificationKey verificationKey;

  private RsaSigningKey(byte[] pkcs8, RSAPrivateCrtKey key, RsaVerificationKey verificationKey) {
    this.pkcs8 = pkcs8;
    this.key = key;
    this.verificationKey = verificationKey;
  }

  /**
   * Parses unencrypted PKCS#8 DER (as stored, AES-encrypted, in mutable shares). The bytes must be
   * one DER object with nothing after it, hold an RSA key, and the key must be 2048 bits.
   */
  public static RsaSigningKey fromPkcs8(byte[] der) throws KeyFormatException {
    Objects.requireNonNull(der, "der");
    if (der.length > MAX_DER) {
      throw new KeyFormatException("PKCS#8 key is " + der.length + " bytes, too long for RSA-2048");
    }
    byte[] copy = der.clone();
    DerShape.check(copy, MAX_DEPTH, "PKCS#8 key");
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(ASN1Primitive.fromByteArray(copy));
    } catch (IOException | RuntimeException e) {
      throw new KeyFormatException("not a DER PKCS#8 private key: " + e.getMessage(), e);
    }
    if (info == null
        || !PKCSObjectIdentifiers.rsaEncryption.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
      throw new KeyFormatException("PKCS#8 key is not an RSA key");
    }
    byte[] body;
    try {
      body = info.getPrivateKey().getOctets();
    } catch (RuntimeException e) {
      throw new KeyFormatException("PKCS#8 key has no private key octets", e);
    }
    DerShape.check(body, MAX_DEPTH, "PKCS#8 RSA key body");
    PrivateKey pk;
    try {
      pk = RsaPss.keyFactory().generatePrivate(new PKCS8EncodedKeySpec(copy));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyFormatException("invalid RSA private key: " + e.getMessage(), e);
    }
    if (!(pk instanceof RSAPrivateCrtKey crt)) {
      throw new KeyFormatException("RSA private key lacks its CRT parameters and public exponent");
    }
    int bits = crt.getModulus().bitLength();
    if (bits != RsaPss.KEY_BITS) {
      throw new KeyFormatException("RSA key is " + bits + " bits; Tahoe requires 2048");
    }
    checkConsistent(crt);
    RsaVerificationKey vk = RsaVerificationKey.fromModulusAndExponent(
        crt.getModulus(), crt.getPublicExponent());
    return new RsaSigningKey(copy, crt, vk);
  }

  /**
   * Parses a PEM private key: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as in Tahoe's test vectors)
   * or PKCS#8 ({@code BEGIN PRIVATE KEY}). A PKCS#1 key is wrapped in the PKCS#8 DER that OpenSSL
   * (and so Tahoe) produces for it, which is what the writekey hashes.
   */
  public static RsaSigningKey fromPem(String pem) throws KeyFormatException {
    Objects.requireNonNull(pem, "pem");
    if (pem.length() > 4 * MAX_DER) {
      throw new KeyFormatException("PEM text is too long for an RSA-2048 key");
    }
    String text = pem.strip();
    if (text.startsWith("-----BEGIN RSA PRIVATE KEY-----")) {
      byte[] pkcs1 = pemBody(text, "RSA PRIVATE KEY");
      DerShape.check(pkcs1, MAX_DEPTH, "PKCS#1 key");
      RSAPrivateKey rsa;
      try {
        rsa = RSAPrivateKey.getInstance(ASN1Primitive.fromByteArray(pkcs1));
      } catch (IOException | RuntimeException e) {
        throw new KeyFormatException("not a DER PKCS#1 RSA private key: " + e.getMessage(), e);
      }
      byte[] pkcs8;
      try {
        pkcs8 = new PrivateKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), rsa)
            .getEncoded(ASN1Encoding.DER);
      } catch (IOException e) {
        throw new KeyFormatException("cannot encode PKCS#8: " + e.getMessage(), e);
      }
      return fromPkcs8(pkcs8);
    }
    if (text.startsWith("-----BEGIN PRIVATE KEY-----")) {
      return fromPkcs8(pemBody(text, "PRIVATE KEY"));
    }
    throw new KeyFormatException(
        "not a PEM private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
  }

  /** A fresh RSA-2048 key with e = 65537. */
  public static RsaSigningKey generate(SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(new RSAKeyGenParameterSpec(RsaPss.KEY_BITS, RsaPss.PUBLIC_EXPONENT), random);
      return fromPkcs8(g.generateKeyPair().getPrivate().getEncoded());
    } catch (GeneralSecurityException | KeyFormatException e) {
      throw new IllegalStateException("cannot generate an RSA-2048 key", e);
    }
  }

  /**
   * A key whose parameters disagree would sign garbage (or make the JDK throw at signing time);
   * reject it while parsing. Cheap next to one signature.
   */
  private static void checkConsistent(RSAPrivateCrtKey k) throws KeyFormatException {
    BigInteger n = k.getModulus();
    BigInteger e = k.getPublicExponent();
    BigInteger p = k.getPrimeP();
    BigInteger q = k.getPrimeQ();
    if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
      throw new KeyFormatException("RSA public exponent must be odd and at least 3");
    }
    if (k.getPrivateExponent().signum() <= 0 || p.signum() <= 0 || q.signum() <= 0
        || k.getPrimeExponentP().signum() <= 0 || k.getPrimeExponentQ().signum() <= 0
        || k.getCrtCoefficient().signum() <= 0) {
      throw new KeyFormatException("RSA private key has a non-positive parameter");
    }
    if (!p.multiply(q).equals(n)) {
      throw new KeyFormatException("RSA private key is inconsistent: p*q != n");
    }
    BigInteger pm1 = p.subtract(BigInteger.ONE);
    BigInteger qm1 = q.subtract(BigInteger.ONE);
    if (!e.multiply(k.getPrimeExponentP()).mod(pm1).equals(BigInteger.ONE)
        || !e.multiply(k.getPrimeExponentQ()).mod(qm1).equals(BigInteger.ONE)
        || !k.getCrtCoefficient().multiply(q).mod(p).equals(BigInteger.ONE)) {
      throw new KeyFormatException("RSA private key is inconsistent: bad CRT parameters");
    }
  }

  private static byte[] pemBody(String text, String label) throws KeyFormatException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int e = text.indexOf(end);
    if (e < 0) {
      throw new KeyFormatException("PEM block has no '" + end + "' line");
    }
    if (!text.substring(e + end.length()).isBlank()) {
      throw new KeyFormatException("unexpected text after '" + end + "'");
    }
    String body = text.substring(begin.length(), e);
    StringBuilder b64 = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (!Character.isWhitespace(c)) {
        b64.append(c);
      }
    }
    try {
      return Base64.getDecoder().decode(b64.toString().getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException ex) {
      throw new KeyFormatException("PEM body is not valid base64: " + ex.getMessage(), ex);
    }
  }

  /** A copy of the exact PKCS#8 DER bytes (the writekey's preimage). */
  public byte[] pkcs8() {
    return pkcs8.clone();
  }

  /** The matching public key. */
  public RsaVerificationKey verificationKey() {
    return verificationKey;
  }

  /** The JCA key, for callers that need it. */
  public RSAPrivateCrtKey privateKey() {
    return key;
  }

  /** RSASSA-PSS-SHA256 (salt 32) signature of {@code message}: 256 bytes. */
  public byte[] sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    Signature s = RsaPss.signature();
    try {
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA-PSS signing failed", e);
    }
  }

  @Override
  public String toString() {
    return "RsaSigningKey[redacted]";
  }
}
