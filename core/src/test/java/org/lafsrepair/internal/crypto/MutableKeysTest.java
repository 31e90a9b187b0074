package org.lafsrepair.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.testing.TahoeCorpus;

class MutableKeysTest {

  private static byte[] signingKeyDer(JsonNode c) {
    return Base64.getDecoder().decode(c.get("rsa_signing_key_der_b64").asText());
  }

  private static byte[] capField(JsonNode c, String which, int field) {
    return Base32.decode(c.get("caps").get(which).asText().split(":")[field]);
  }

  @Test
  void corpusKeysDeriveEveryCapField() throws Exception {
    for (JsonNode c : TahoeCorpus.cases("mutable")) {
      RsaSigningKey key = RsaSigningKey.fromPkcs8(signingKeyDer(c));
      byte[] writekey = MutableKeys.writekey(key);
      assertArrayEquals(capField(c, "write", 2), writekey);
      byte[] readkey = MutableKeys.readkey(writekey);
      assertArrayEquals(capField(c, "read", 2), readkey);
      assertEquals(c.get("storage_index_b32").asText(),
          MutableKeys.storageIndex(readkey).toBase32());
      assertArrayEquals(capField(c, "verify", 2), MutableKeys.storageIndex(readkey).toBytes());
      byte[] fp = MutableKeys.fingerprint(key.verificationKey());
      assertArrayEquals(capField(c, "write", 3), fp);
      assertArrayEquals(capField(c, "verify", 3), fp);
    }
  }

  /** Container bytes 32..52 hold the node id the write enabler at 52..84 was made for. */
  @Test
  void containerWriteEnablersDeriveFromTheWritekeyAndNodeId() {
    int checked = 0;
    for (JsonNode c : TahoeCorpus.cases("mutable")) {
      byte[] writekey = capField(c, "write", 2);
      for (JsonNode ver : c.get("versions")) {
        for (JsonNode share : ver.get("shares")) {
          byte[] file = TahoeCorpus.read(share.get("path").asText());
          ServerId node = ServerId.of(Arrays.copyOfRange(file, 32, 52));
          assertEquals(share.get("serverid_b32").asText(), node.toBase32());
          WriteEnabler we = MutableKeys.writeEnablerFor(writekey, node);
          assertTrue(we.matches(Arrays.copyOfRange(file, 52, 84)), share.get("path").asText());
          ServerId other = ServerId.of(new byte[20]);
          assertFalse(MutableKeys.writeEnablerFor(writekey, other)
              .matches(Arrays.copyOfRange(file, 52, 84)));
          checked++;
        }
      }
    }
    assertTrue(checked >= 30);
  }

  @Test
  void encryptedPrivateKeysDecryptUnderTheWritekey() {
    for (JsonNode c : TahoeCorpus.cases("mutable")) {
      byte[] writekey = capField(c, "write", 2);
      for (JsonNode ver : c.get("versions")) {
        JsonNode share = ver.get("shares").get(0);
        byte[] file = TahoeCorpus.read(share.get("path").asText());
        JsonNode r = share.get("parsed").get("sections").get("enc_privkey");
        byte[] enc = Arrays.copyOfRange(file, r.get(0).asInt(), r.get(1).asInt());
        byte[] der = AesCtr.apply(writekey, enc);
        assertArrayEquals(signingKeyDer(c), der);
        assertArrayEquals(writekey, MutableKeys.writekey(der));
      }
    }
  }

  /** SDMF: one segment, encrypted under datakey(IV); k=3 shares 0..2 hold it verbatim. */
  @Test
  void sdmfDatakeyDecryptsTheRealSegment() {
    JsonNode c = AesCtrTest.caseNamed("sdmf-k3n10-seq2");
    JsonNode ver = c.get("versions").get(c.get("versions").size() - 1);
    byte[] readkey = capField(c, "read", 2);
    byte[] iv = Base32.decode(ver.get("verinfo").get("salt_or_IV_b32").asText());
    byte[] crypt = systematicBlocks(ver, "block_data", 0);
    byte[] plain = AesCtr.apply(MutableKeys.datakey(iv, readkey), crypt);
    int datalen = ver.get("verinfo").get("datalen").asInt();
    assertArrayEquals(TahoeCorpus.plaintext(ver.get("plaintext")), Arrays.copyOf(plain, datalen));
  }

  /** MDMF: each segment is salt16 ‖ block, encrypted under datakey(salt) from counter 0. */
  @Test
  void mdmfDatakeyDecryptsTheRealSegment() {
    JsonNode c = AesCtrTest.caseNamed("mdmf-k3n10-small-seq2");
    JsonNode ver = c.get("versions").get(c.get("versions").size() - 1);
    byte[] readkey = capField(c, "read", 2);
    JsonNode sh0 = AesCtrTest.shareNumbered(ver, 0);
    byte[] f0 = TahoeCorpus.read(sh0.get("path").asText());
    int start = sh0.get("parsed").get("sections").get("share_data").get(0).asInt();
    byte[] salt = Arrays.copyOfRange(f0, start, start + 16);
    byte[] crypt = systematicBlocks(ver, "share_data", 16);
    byte[] plain = AesCtr.apply(MutableKeys.datakey(salt, readkey), crypt);
    int datalen = ver.get("verinfo").get("datalen").asInt();
    assertArrayEquals(TahoeCorpus.plaintext(ver.get("plaintext")), Arrays.copyOf(plain, datalen));
  }

  @Test
  void rejectsWrongLengths() {
    assertThrows(IllegalArgumentException.class, () -> MutableKeys.readkey(new byte[15]));
    assertThrows(IllegalArgumentException.class,
        () -> MutableKeys.datakey(new byte[15], new byte[16]));
    assertThrows(IllegalArgumentException.class,
        () -> MutableKeys.writeEnabler(new byte[16], ServerId.of(new byte[20])));
  }

  /** Concatenates shares 0..2 of a k=3 version: the first data segment's blocks. */
  private static byte[] systematicBlocks(JsonNode ver, String section, int skip) {
    byte[][] parts = new byte[3][];
    int total = 0;
    for (int sh = 0; sh < 3; sh++) {
      JsonNode s = AesCtrTest.shareNumbered(ver, sh);
      byte[] f = TahoeCorpus.read(s.get("path").asText());
      JsonNode r = s.get("parsed").get("sections").get(section);
      parts[sh] = Arrays.copyOfRange(f, r.get(0).asInt() + skip, r.get(1).asInt());
      total += parts[sh].length;
    }
    byte[] out = new byte[total];
    int p = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, p, part.length);
      p += part.length;
    }
    return out;
  }
}
