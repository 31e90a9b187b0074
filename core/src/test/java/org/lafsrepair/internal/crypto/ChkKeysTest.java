package org.lafsrepair.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.testing.TahoeCapVectors;
import org.lafsrepair.testing.TahoeCorpus;

class ChkKeysTest {

  /** The CHK cap's key field is the convergent key of the vector's plaintext. */
  @Test
  void convergentKeysMatchEveryChkVector() {
    int checked = 0;
    for (TahoeCapVectors.Vector v : TahoeCapVectors.all()) {
      if (!v.isChk()) {
        continue;
      }
      byte[] plain = v.plaintext();
      long segsize = ChkKeys.segmentSize(plain.length, v.maxSegmentSize(), v.k());
      byte[] key = ChkKeys.convergentKey(v.convergence(), v.k(), v.n(), segsize, plain);
      assertEquals(v.expected().split(":")[2], Base32.encode(key), v.toString());
      checked++;
    }
    assertTrue(checked >= 100, "only " + checked + " CHK vectors");
  }

  @Test
  void corpusCapsHaveTheConvergentKeyAndStorageIndex() {
    byte[] secret = HexFormat.of().parseHex(
        TahoeCorpus.manifest().get("convergence_secret_hex").asText());
    for (JsonNode c : TahoeCorpus.cases("immutable")) {
      JsonNode enc = c.get("encoding");
      byte[] plain = TahoeCorpus.plaintext(c.get("plaintext"));
      long segsize = ChkKeys.segmentSize(plain.length, enc.get("max_segment_size").asLong(),
          enc.get("k").asInt());
      assertEquals(enc.get("segment_size").asLong(), segsize);
      byte[] key = ChkKeys.convergentKey(secret, enc.get("k").asInt(), enc.get("N").asInt(),
          segsize, plain);
      String[] read = c.get("caps").get("read").asText().split(":");
      assertArrayEquals(Base32.decode(read[2]), key, c.get("name").asText());
      assertEquals(c.get("storage_index_b32").asText(), ChkKeys.storageIndex(key).toBase32());
    }
  }

  @Test
  void formatsExampleStorageIndex() {
    byte[] key = Base32.decode("md66uwqg7evts4cnlfsuaexmr4");
    assertEquals("astdnkugdb6eoq47ko3kgnxoye", ChkKeys.storageIndex(key).toBase32());
  }
}
