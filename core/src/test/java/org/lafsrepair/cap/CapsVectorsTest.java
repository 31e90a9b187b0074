package org.lafsrepair.cap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.lafsrepair.internal.crypto.ChkKeys;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.testing.TahoeCapVectors;
import org.lafsrepair.testing.TahoeCorpus;

/** Caps from Tahoe itself: test_vectors.yaml and the share corpus manifest. */
class CapsVectorsTest {

  @Test
  void everyTahoeVectorParsesAndFormatsBackExactly() throws Exception {
    int chk = 0;
    int ssk = 0;
    for (TahoeCapVectors.Vector v : TahoeCapVectors.all()) {
      Cap cap = Caps.parse(v.expected());
      assertEquals(v.expected(), cap.format(), v.toString());
      assertEquals(v.expected(), cap.toString());
      if (v.isChk()) {
        ChkReadCap c = assertInstanceOf(ChkReadCap.class, cap);
        assertEquals(v.k(), c.k());
        assertEquals(v.n(), c.n());
        assertEquals(v.length(), c.size());
        assertEquals("chk-read", c.kind());
        ChkVerifyCap vc = c.toVerifyCap();
        assertEquals(ChkKeys.storageIndex(c.key().toByteArray()), vc.index());
        assertEquals(c.uebHash(), vc.uebHash());
        assertEquals(vc, Caps.parse(vc.format()));
        assertEquals(vc, cap.verifyCap().orElseThrow());
        assertEquals(cap.storageIndex(), vc.storageIndex());
        chk++;
      } else {
        MutableFormat format = v.mutableFormat().equals("sdmf") ? MutableFormat.SDMF
            : MutableFormat.MDMF;
        RsaSigningKey key = RsaSigningKey.fromPem(v.pemKey());
        MutableWriteCap derived = new MutableWriteCap(format,
            ImmutableBytes.copyOf(MutableKeys.writekey(key)),
            ImmutableBytes.copyOf(MutableKeys.fingerprint(key.verificationKey())));
        assertEquals(v.expected(), derived.format(), v.toString());
        assertEquals(derived, cap);
        assertEquals(format.kindName() + "-write", cap.kind());
        MutableReadCap read = derived.toReadCap();
        assertEquals(read, Caps.parse(read.format()));
        assertEquals(read.index(), derived.index());
        assertEquals(derived.toVerifyCap(), read.toVerifyCap());
        ssk++;
      }
    }
    assertTrue(chk >= 100 && ssk >= 100, "chk=" + chk + " ssk=" + ssk);
  }

  @Test
  void corpusCapsDeriveTheManifestsStorageIndexAndVerifyCap() throws Exception {
    for (JsonNode c : TahoeCorpus.cases()) {
      JsonNode caps = c.get("caps");
      String si = c.get("storage_index_b32").asText();
      String verify = caps.get("verify").asText();
      Cap read = Caps.parse(caps.get("read").asText());
      assertEquals(caps.get("read").asText(), read.format());
      assertEquals(si, read.storageIndex().orElseThrow().toBase32(), c.get("name").asText());
      assertEquals(verify, read.verifyCap().orElseThrow().format());
      assertSame(read, read.readCap().orElseThrow());
      VerifyCap v = Caps.parseVerifyCap(verify);
      assertEquals(verify, v.format());
      assertEquals(si, v.index().toBase32());
      assertEquals(v, v.verifyCap().orElseThrow());
      assertTrue(v.readCap().isEmpty());
      if (caps.has("write")) {
        Cap write = Caps.parse(caps.get("write").asText());
        assertTrue(write.isWritable() && write.isMutable());
        assertEquals(caps.get("read").asText(), write.readCap().orElseThrow().format());
        assertEquals(verify, write.verifyCap().orElseThrow().format());
        assertEquals(si, write.storageIndex().orElseThrow().toBase32());
      } else {
        ChkReadCap chk = (ChkReadCap) read;
        JsonNode enc = c.get("encoding");
        assertEquals(enc.get("k").asInt(), chk.k());
        assertEquals(enc.get("N").asInt(), chk.n());
        assertEquals(c.get("plaintext").get("size").asLong(), chk.size());
        assertEquals(c.get("uri_extension_block").get("sha256d_tagged_ueb_hash_b32").asText(),
            chk.uebHash().toBase32());
      }
    }
  }

  /** Directory caps keep the inner cap's fields under a DIR2 prefix, and diminish alike. */
  @Test
  void directoryWrappersOfCorpusCapsDiminishLikeTheirInnerCaps() throws Exception {
    for (JsonNode c : TahoeCorpus.cases()) {
      JsonNode caps = c.get("caps");
      String si = c.get("storage_index_b32").asText();
      boolean mdmf = c.get("kind").asText().equals("mutable-mdmf");
      String dirBase = c.has("versions") ? (mdmf ? "DIR2-MDMF" : "DIR2") : "DIR2-CHK";
      String readPrefix = c.has("versions") ? "URI:" + dirBase + "-RO:" : "URI:DIR2-CHK:";
      String dirRead = readPrefix + Caps.body(caps.get("read").asText());
      String dirVerify = "URI:" + dirBase + "-Verifier:" + Caps.body(caps.get("verify").asText());
      Cap d = Caps.parse(dirRead);
      assertEquals(dirRead, d.format());
      assertTrue(d.isDirectory());
      assertEquals("dir-" + Caps.parse(caps.get("read").asText()).kind(), d.kind());
      assertEquals(si, d.storageIndex().orElseThrow().toBase32());
      assertEquals(dirVerify, d.verifyCap().orElseThrow().format());
      assertInstanceOf(DirectoryVerifyCap.class, Caps.parse(dirVerify));
      if (caps.has("write")) {
        String dirWrite = "URI:" + dirBase + ":" + Caps.body(caps.get("write").asText());
        Cap w = Caps.parse(dirWrite);
        assertEquals(dirWrite, w.format());
        assertEquals(dirRead, w.readCap().orElseThrow().format());
        assertEquals(dirVerify, w.verifyCap().orElseThrow().format());
      }
    }
  }

  @Test
  void formatsDocExampleStorageIndex() throws Exception {
    Cap c = Caps.parse("URI:CHK:md66uwqg7evts4cnlfsuaexmr4:"
        + "f63f53mpg4x6mvfe6jgl3ld3qz3zdwstmztelfnc7axjwdvpczzq:3:10:1100000");
    assertEquals("astdnkugdb6eoq47ko3kgnxoye", c.storageIndex().orElseThrow().toBase32());
  }
}
