package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ShareLayoutTest {

  @Test
  void matchesTheDocumentedExample() {
    // k3/N10/1,100,000 B: 36 / 366703 / 367695 / 368687 / 369679 / 369849, end 370179.
    ShareLayout l = ShareLayout.forUpload(ChkGeometry.forUpload(3, 10, 1_100_000, 131072));
    assertEquals(1, l.version());
    assertEquals(36, l.dataOffset());
    assertEquals(366703, l.plaintextTreeOffset());
    assertEquals(367695, l.crypttextTreeOffset());
    assertEquals(368687, l.blockHashesOffset());
    assertEquals(369679, l.shareHashesOffset());
    assertEquals(369849, l.uriExtensionOffset());
    assertEquals(370179, l.totalLength(326));
  }

  @Test
  void version2OnlyBeyondFourGiB() {
    ChkGeometry small = ChkGeometry.forUpload(1, 1, (1L << 32) - (8L << 20), 131072);
    assertEquals(1, ShareLayout.forUpload(small).version());
    ChkGeometry large = ChkGeometry.forUpload(1, 1, 1L << 32, 131072);
    ShareLayout l = ShareLayout.forUpload(large);
    assertEquals(2, l.version());
    assertEquals(0x44, l.dataOffset());
  }

  @Property(tries = 200)
  void headerRoundTrips(
      @ForAll @IntRange(min = 1, max = 2) int version,
      @ForAll @IntRange(min = 1, max = 20) int k,
      @ForAll @LongRange(min = 56, max = 1L << 31) long size) throws Exception {
    ChkGeometry g = ChkGeometry.forUpload(k, 20, size, 131072);
    ShareLayout l = ShareLayout.expected(version, g);
    byte[] h = l.headerBytes();
    assertEquals(ShareLayout.headerSize(version), h.length);
    assertEquals(l, ShareLayout.parse(ByteBuffer.wrap(h)));
  }

  @Property(tries = 500)
  void arbitraryHeadersParseOrFailTyped(@ForAll @Size(max = 0x44) byte[] junk) {
    try {
      ShareLayout l = ShareLayout.parse(ByteBuffer.wrap(junk));
      assertTrue(l.version() == 1 || l.version() == 2);
    } catch (ShareFormatException expected) {
      assertEquals(ShareRegion.HEADER, expected.region());
    }
  }
}
