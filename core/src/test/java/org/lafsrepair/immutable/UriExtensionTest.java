package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.lafsrepair.internal.crypto.Hashes;

class UriExtensionTest {
  private static final byte[] H1 = Hashes.tagged("t", new byte[] {1});
  private static final byte[] H2 = Hashes.tagged("t", new byte[] {2});
  private static final byte[] H3 = Hashes.tagged("t", new byte[] {3});

  @Property(tries = 200)
  void roundTripsAndChecksAgainstItsOwnGeometry(
      @ForAll @IntRange(min = 1, max = 256) int n,
      @ForAll @IntRange(min = 1, max = 256) int kk,
      @ForAll @LongRange(min = 56, max = 1L << 40) long size,
      @ForAll @IntRange(min = 1, max = 1 << 20) int maxSeg) throws Exception {
    int k = Math.min(kk, n);
    ChkGeometry g;
    try {
      g = ChkGeometry.forUpload(k, n, size, maxSeg);
    } catch (IllegalArgumentException tooManySegments) {
      return;
    }
    UriExtension u = UriExtension.forFile(g, H1, H2, H3);
    UriExtension parsed = UriExtension.parse(u.toBytes());
    assertEquals(u, parsed);
    assertEquals(g, parsed.checkedGeometry(k, n, size));
    assertArrayEquals(H3, parsed.shareRootHash());
    assertThrows(ShareFormatException.class, () -> parsed.checkedGeometry(k, n, size + 1));
    if (n > k) {
      assertThrows(ShareFormatException.class, () -> parsed.checkedGeometry(k + 1, n, size));
    }
  }

  @Test
  void matchesTheCorpusUebByteForByte() throws Exception {
    // chk-k3n10-1100000's UEB (manifest raw_b64): Tahoe's field set, order and encoding.
    byte[] raw = Base64.getDecoder().decode(
        "Y29kZWNfbmFtZTozOmNycyxjb2RlY19wYXJhbXM6MTE6MTMxMDczLTMtMTAsY3J5cHR0ZXh0X2hhc2g6MzI6K4cTmjZOcwQ73MXvnOT/1sF+J9ZX7daf9a0recHl1fEsY3J5cHR0ZXh0X3Jvb3RfaGFzaDozMjqQAS7fLDeGlnno/ffcu/nFjeF4VajuKGqJmYI8PKO3ayxuZWVkZWRfc2hhcmVzOjE6MyxudW1fc2VnbWVudHM6MTo5LHNlZ21lbnRfc2l6ZTo2OjEzMTA3MyxzaGFyZV9yb290X2hhc2g6MzI6ZeRCSGIyACeSoGgkT2iH9vP30Ej23FLBFpaVdC8UJsosc2l6ZTo3OjExMDAwMDAsdGFpbF9jb2RlY19wYXJhbXM6MTA6NTE0MTctMy0xMCx0b3RhbF9zaGFyZXM6MjoxMCw=");
    UriExtension u = UriExtension.parse(raw);
    ChkGeometry g = u.checkedGeometry(3, 10, 1100000);
    assertEquals(131073, g.segmentSize());
    UriExtension rebuilt =
        UriExtension.forFile(g, u.crypttextHash(), u.crypttextRootHash(), u.shareRootHash());
    assertArrayEquals(raw, rebuilt.toBytes());
  }

  @Property(tries = 500)
  void arbitraryBytesParseOrFailTyped(@ForAll @Size(max = 300) byte[] junk) {
    try {
      UriExtension u = UriExtension.parse(junk);
      assertArrayEquals(junk, u.toBytes());
    } catch (ShareFormatException expected) {
      assertEquals(ShareRegion.URI_EXTENSION, expected.region());
    }
  }

  @Property(tries = 500)
  void mutatedUebParsesOrFailsTyped(
      @ForAll @IntRange(min = 0, max = 400) int pos, @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 400) int cut) {
    ChkGeometry g = ChkGeometry.forUpload(3, 10, 1100000, 131072);
    byte[] b = UriExtension.forFile(g, H1, H2, H3).toBytes();
    b[pos % b.length] = value;
    byte[] cutB = java.util.Arrays.copyOf(b, Math.min(b.length, cut));
    for (byte[] x : new byte[][] {b, cutB}) {
      try {
        UriExtension.parse(x).checkedGeometry(3, 10, 1100000);
      } catch (ShareFormatException expected) {
        assertEquals(ShareRegion.URI_EXTENSION, expected.region());
      }
    }
  }

  @Test
  void rejectsOversizeDuplicateAndMalformedBlocks() {
    byte[] big = new byte[2000];
    assertThrows(ShareFormatException.class, () -> UriExtension.parse(big));
    assertThrows(ShareFormatException.class, () -> UriExtension.parse(ascii("a:1:x,a:1:x,")));
    assertThrows(ShareFormatException.class, () -> UriExtension.parse(ascii("a:5:x,")));
    assertThrows(ShareFormatException.class, () -> UriExtension.parse(ascii("a:01:x,")));
    assertThrows(ShareFormatException.class, () -> UriExtension.parse(ascii("a:-1:x,")));
    assertThrows(ShareFormatException.class, () -> UriExtension.parse(ascii("a1:1:x,")));
    assertThrows(ShareFormatException.class, () -> UriExtension.parse(ascii("a:1:xx")));
  }

  @Test
  void unknownKeysAreKept() throws Exception {
    UriExtension u = UriExtension.parse(ascii("plaintext_hash:3:abc,zz:0:,"));
    assertArrayEquals(ascii("abc"), u.field("plaintext_hash").orElseThrow());
    assertEquals(2, u.keys().size());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
