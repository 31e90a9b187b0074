package org.lafsrepair.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.testing.TahoeCapVectors;
import org.lafsrepair.testing.TahoeCorpus;

class RsaKeysTest {
  private static final RsaSigningKey FRESH = RsaSigningKey.generate(new SecureRandom());

  @Test
  void everyPemVectorYieldsTheWritekeyAndFingerprintOfItsCap() throws Exception {
    int checked = 0;
    for (TahoeCapVectors.Vector v : TahoeCapVectors.all()) {
      if (v.pemKey() == null) {
        continue;
      }
      RsaSigningKey key = RsaSigningKey.fromPem(v.pemKey());
      String[] f = v.expected().split(":");
      assertArrayEquals(Base32.decode(f[2]), MutableKeys.writekey(key), v.toString());
      assertArrayEquals(Base32.decode(f[3]), MutableKeys.fingerprint(key.verificationKey()),
          v.toString());
      assertEquals(RsaPss.SPKI_LENGTH, key.verificationKey().spki().length);
      checked++;
    }
    assertTrue(checked >= 100, "only " + checked + " SSK vectors");
  }

  @Test
  void corpusKeysRoundTripAndMatchTheStoredPublicKey() throws Exception {
    for (JsonNode c : TahoeCorpus.cases("mutable")) {
      byte[] der = Base64.getDecoder().decode(c.get("rsa_signing_key_der_b64").asText());
      byte[] spki = Base64.getDecoder().decode(c.get("rsa_verification_key_der_b64").asText());
      RsaSigningKey key = RsaSigningKey.fromPkcs8(der);
      assertArrayEquals(der, key.pkcs8());
      assertArrayEquals(spki, key.verificationKey().spki());
      assertEquals(294, spki.length);
      assertEquals(key.verificationKey(), RsaVerificationKey.fromSpki(spki));
      // PKCS#8 PEM of the same bytes parses to the same key.
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
      assertArrayEquals(der, RsaSigningKey.fromPem(pem).pkcs8());
    }
  }

  /** Every share of every version carries a signature over the version's signed prefix. */
  @Test
  void realShareSignaturesVerifyAndTamperedOnesDoNot() throws Exception {
    int checked = 0;
    for (JsonNode c : TahoeCorpus.cases("mutable")) {
      RsaVerificationKey vk = RsaVerificationKey.fromSpki(
          Base64.getDecoder().decode(c.get("rsa_verification_key_der_b64").asText()));
      for (JsonNode ver : c.get("versions")) {
        byte[] prefix = HexFormat.of().parseHex(ver.get("verinfo").get("signed_prefix_hex").asText());
        for (JsonNode share : ver.get("shares")) {
          byte[] file = TahoeCorpus.read(share.get("path").asText());
          JsonNode r = share.get("parsed").get("sections").get("signature");
          byte[] sig = Arrays.copyOfRange(file, r.get(0).asInt(), r.get(1).asInt());
          assertTrue(vk.verify(prefix, sig), share.get("path").asText());
          byte[] bad = sig.clone();
          bad[100] ^= 1;
          assertFalse(vk.verify(prefix, bad));
          byte[] badPrefix = prefix.clone();
          badPrefix[1] ^= 1;
          assertFalse(vk.verify(badPrefix, sig));
          checked++;
        }
      }
    }
    assertTrue(checked >= 30);
  }

  @Test
  void signVerifyRoundTripWithAFreshKey() throws Exception {
    byte[] msg = "signed prefix".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = FRESH.sign(msg);
    assertEquals(RsaPss.SIGNATURE_LENGTH, sig.length);
    assertTrue(FRESH.verificationKey().verify(msg, sig));
    // PSS is randomised, yet every signature verifies.
    assertTrue(FRESH.verificationKey().verify(msg, FRESH.sign(msg)));
    assertEquals(RsaPss.PUBLIC_EXPONENT, FRESH.privateKey().getPublicExponent());
    assertEquals(RsaPss.SPKI_LENGTH, FRESH.verificationKey().spki().length);
    RsaSigningKey reparsed = RsaSigningKey.fromPkcs8(FRESH.pkcs8());
    assertEquals(FRESH.verificationKey(), reparsed.verificationKey());
  }

  @Test
  void rejectsKeysThatAreNot2048Bits() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    var kp = g.generateKeyPair();
    KeyFormatException e = assertThrows(KeyFormatException.class,
        () -> RsaSigningKey.fromPkcs8(kp.getPrivate().getEncoded()));
    assertTrue(e.getMessage().contains("1024"), e.getMessage());
    assertThrows(KeyFormatException.class,
        () -> RsaVerificationKey.fromSpki(kp.getPublic().getEncoded()));
  }

  @Test
  void rejectsTrailingBytesAndWrongPemLabels() {
    byte[] der = FRESH.pkcs8();
    byte[] longer = Arrays.copyOf(der, der.length + 1);
    assertThrows(KeyFormatException.class, () -> RsaSigningKey.fromPkcs8(longer));
    assertThrows(KeyFormatException.class,
        () -> RsaSigningKey.fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
    assertThrows(KeyFormatException.class,
        () -> RsaSigningKey.fromPem("-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----"));
    assertThrows(KeyFormatException.class, () -> RsaVerificationKey.fromSpki(der));
  }

  @Test
  void rejectsInconsistentPrivateKeys() throws Exception {
    var k = FRESH.privateKey();
    byte[] tampered = new org.bouncycastle.asn1.pkcs.PrivateKeyInfo(
            new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.rsaEncryption,
                org.bouncycastle.asn1.DERNull.INSTANCE),
            new org.bouncycastle.asn1.pkcs.RSAPrivateKey(k.getModulus(), k.getPublicExponent(),
                k.getPrivateExponent(), k.getPrimeP().add(java.math.BigInteger.TWO),
                k.getPrimeQ(), k.getPrimeExponentP(), k.getPrimeExponentQ(),
                k.getCrtCoefficient()))
        .getEncoded("DER");
    KeyFormatException e =
        assertThrows(KeyFormatException.class, () -> RsaSigningKey.fromPkcs8(tampered));
    assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
  }

  /** Deeply nested DER must fail cleanly, not overflow the stack. */
  @Test
  void deeplyNestedDerFailsCleanly() {
    byte[] inner = new byte[0];
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    byte[] cur = inner;
    for (int depth = 0; depth < 2000 && cur.length < 8000; depth++) {
      b.reset();
      b.write(0x30);
      if (cur.length < 128) {
        b.write(cur.length);
      } else {
        b.write(0x82);
        b.write(cur.length >> 8);
        b.write(cur.length & 0xff);
      }
      b.writeBytes(cur);
      cur = b.toByteArray();
    }
    byte[] nested = cur;
    assertThrows(KeyFormatException.class, () -> RsaSigningKey.fromPkcs8(nested));
    assertThrows(KeyFormatException.class, () -> RsaVerificationKey.fromSpki(nested));
    byte[] indefinite = new byte[8000];
    for (int i = 0; i < indefinite.length; i += 2) {
      indefinite[i] = 0x30;
      indefinite[i + 1] = (byte) 0x80;
    }
    assertThrows(KeyFormatException.class, () -> RsaSigningKey.fromPkcs8(indefinite));
  }

  @Property(tries = 300)
  void garbageKeysFailWithKeyFormatExceptionOnly(@ForAll @Size(max = 1300) byte[] garbage) {
    assertThrows(KeyFormatException.class, () -> RsaSigningKey.fromPkcs8(garbage));
    assertThrows(KeyFormatException.class, () -> RsaVerificationKey.fromSpki(garbage));
  }

  @Property(tries = 300)
  void mutatedRealKeysNeverThrowAnythingButKeyFormatException(
      @ForAll @IntRange(min = 0, max = 1500) int pos, @ForAll byte xor,
      @ForAll @IntRange(min = 0, max = 1300) int cut) {
    byte[] der = FRESH.pkcs8();
    byte[] spki = FRESH.verificationKey().spki();
    for (byte[] src : new byte[][] {der, spki}) {
      byte[] m = src.clone();
      m[pos % m.length] ^= xor;
      byte[] truncated = Arrays.copyOf(m, Math.min(cut, m.length));
      for (byte[] candidate : new byte[][] {m, truncated}) {
        try {
          if (src == der) {
            RsaSigningKey.fromPkcs8(candidate);
          } else {
            RsaVerificationKey.fromSpki(candidate);
          }
        } catch (KeyFormatException expected) {
          // the only permitted failure
        }
      }
    }
  }

  /** Random bytes drawn from DER's structural vocabulary reach deeper into the parsers. */
  @Property(tries = 1000)
  void derLikeGarbageFailsWithKeyFormatExceptionOnly(
      @ForAll("derish") byte[] garbage) {
    for (int variant = 0; variant < 2; variant++) {
      try {
        if (variant == 0) {
          RsaSigningKey.fromPkcs8(garbage);
        } else {
          RsaVerificationKey.fromSpki(garbage);
        }
      } catch (KeyFormatException expected) {
        // the only permitted failure
      }
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<byte[]> derish() {
    return net.jqwik.api.Arbitraries.of((byte) 0x30, (byte) 0x02, (byte) 0x03, (byte) 0x04,
            (byte) 0x05, (byte) 0x06, (byte) 0x00, (byte) 0x01, (byte) 0x80, (byte) 0x81,
            (byte) 0x82, (byte) 0x84, (byte) 0xa0, (byte) 0xff, (byte) 0x2a, (byte) 0x86)
        .array(byte[].class).ofMaxSize(600);
  }

  @Property(tries = 200)
  void garbageSignaturesAreInvalidNotExceptions(@ForAll @Size(max = 300) byte[] sig) {
    assertFalse(FRESH.verificationKey().verify(new byte[10], sig));
  }
}
