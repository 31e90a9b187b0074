package org.lafsrepair.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class IdentifierTest {
  @Test
  void storageIndexMatchesTahoeExample() {
    StorageIndex si = StorageIndex.parse("astdnkugdb6eoq47ko3kgnxoye");
    assertEquals("04a636aa86187c47439f53b6a336eec1", java.util.HexFormat.of().formatHex(si.toBytes()));
    assertEquals("as", si.prefix());
  }

  @Test
  void storageIndexRejectsNonZeroPadBits() {
    // 26 chars encode 130 bits; the last char's low 2 bits must be zero ('b' has value 1).
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StorageIndex.parse("astdnkugdb6eoq47ko3kgnxoyb"));
    assertEquals("storage index: base32 string has non-zero pad bits", e.getMessage());
  }

  @Test
  void storageIndexRejectsUpperCaseAndWrongLength() {
    assertThrows(IllegalArgumentException.class, () -> StorageIndex.parse("ASTDNKUGDB6EOQ47KO3KGNXOYE"));
    assertThrows(IllegalArgumentException.class, () -> StorageIndex.parse("astdnkugdb6eoq47ko3kgnxoy"));
    assertThrows(IllegalArgumentException.class, () -> StorageIndex.of(new byte[15]));
  }

  @Property
  void storageIndexRoundTrips(@ForAll("sixteenBytes") byte[] bytes) {
    StorageIndex si = StorageIndex.of(bytes);
    assertEquals(si, StorageIndex.parse(si.toBase32()));
    assertArrayEquals(bytes, si.toBytes());
  }

  @Property
  void serverIdRoundTrips(@ForAll("twentyBytes") byte[] bytes) {
    ServerId id = ServerId.of(bytes);
    assertEquals(32, id.toBase32().length());
    assertEquals(id, ServerId.parse(id.toBase32()));
  }

  @Property(tries = 2000)
  void base32DecodeNeverThrowsAnythingButIllegalArgument(@ForAll String s) {
    try {
      byte[] b = Base32.decode(s);
      assertEquals(s, Base32.encode(b));
    } catch (IllegalArgumentException expected) {
      // typed rejection is the only allowed failure
    }
  }

  @Provide
  Arbitrary<byte[]> sixteenBytes() {
    return Arbitraries.bytes().array(byte[].class).ofSize(16);
  }

  @Provide
  Arbitrary<byte[]> twentyBytes() {
    return Arbitraries.bytes().array(byte[].class).ofSize(20);
  }

  @Test
  void shareNumberBounds() {
    assertEquals(255, ShareNumber.of(255).value());
    assertThrows(IllegalArgumentException.class, () -> ShareNumber.of(256));
    assertThrows(IllegalArgumentException.class, () -> ShareNumber.of(-1));
  }
}
