package org.lafsrepair.cap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Base32;

class CapsTest {
  static final String KEY = "md66uwqg7evts4cnlfsuaexmr4";
  static final String HASH = "f63f53mpg4x6mvfe6jgl3ld3qz3zdwstmztelfnc7axjwdvpczzq";
  static final String CHK = "URI:CHK:" + KEY + ":" + HASH + ":3:10:1100000";
  static final String SSK = "URI:SSK:" + KEY + ":" + HASH;
  static final String MDMF = "URI:MDMF:" + KEY + ":" + HASH;

  private static String error(String cap) {
    return assertThrows(CapFormatException.class, () -> Caps.parse(cap)).getMessage();
  }

  private static void assertErrorMentions(String cap, String... parts) {
    String msg = error(cap);
    for (String p : parts) {
      assertTrue(msg.contains(p), "'" + msg + "' lacks '" + p + "'");
    }
  }

  @Test
  void literalCapsCarryTheirDataAndNoStorageIndex() throws Exception {
    byte[] data = "hello, world".getBytes(StandardCharsets.US_ASCII);
    String s = "URI:LIT:" + Base32.encode(data);
    LiteralCap lit = assertInstanceOf(LiteralCap.class, Caps.parse(s));
    assertEquals(s, lit.format());
    assertEquals(data.length, lit.size());
    assertTrue(lit.storageIndex().isEmpty());
    assertTrue(lit.verifyCap().isEmpty());
    assertEquals(lit, lit.readCap().orElseThrow());
    assertEquals(0, ((LiteralCap) Caps.parse("URI:LIT:")).size());
    DirectoryCap dir = assertInstanceOf(DirectoryCap.class, Caps.parse("URI:DIR2-LIT:" + Base32.encode(data)));
    assertEquals("dir-lit", dir.kind());
    assertTrue(dir.verifyCap().isEmpty());
    assertFalse(dir.isMutable());
    CapFormatException e = assertThrows(CapFormatException.class, () -> Caps.parseVerifyCap(s));
    assertTrue(e.getMessage().contains("no verify cap"));
  }

  @Test
  void mdmfExtensionsAreKeptForFormattingButNotPassedOn() throws Exception {
    String s = MDMF + ":3:131073";
    MutableWriteCap w = assertInstanceOf(MutableWriteCap.class, Caps.parse(s));
    assertEquals(s, w.format());
    assertEquals(":3:131073", w.extension());
    assertEquals(MDMF, new MutableWriteCap(w.mutableFormat(), w.writekey(), w.fingerprint()).format());
    assertFalse(w.readCap().orElseThrow().format().endsWith("131073"));
    assertFalse(w.verifyCap().orElseThrow().format().endsWith("131073"));
    assertEquals(MDMF + ":", Caps.parse(MDMF + ":").format());
    String dir = "URI:DIR2-MDMF:" + KEY + ":" + HASH + ":hint";
    assertEquals(dir, Caps.parse(dir).format());
  }

  @Test
  void chkVerifierAcceptsTrailingTextLikeTahoe() throws Exception {
    String base = "URI:CHK-Verifier:astdnkugdb6eoq47ko3kgnxoye:" + HASH + ":3:10:1100000";
    ChkVerifyCap v = assertInstanceOf(ChkVerifyCap.class, Caps.parse(base + ":extra"));
    assertEquals(1100000, v.size());
    assertEquals(":extra", v.extension());
    assertEquals(base + ":extra", v.format());
    assertEquals(base, new ChkVerifyCap(v.index(), v.uebHash(), v.k(), v.n(), v.size()).format());
    // ...but the read cap is anchored at the end.
    assertErrorMentions(CHK + ":extra", "URI:CHK:", "expected 5 fields");
  }

  @Test
  void sdmfCapsMustEndAfterTheFingerprint() {
    assertErrorMentions(SSK + ":x", "URI:SSK:", "unexpected text after the fingerprint");
    assertErrorMentions("URI:DIR2-RO:" + KEY + ":" + HASH + ":x", "URI:DIR2-RO:");
  }

  @Test
  void allegedReadOnlyAndImmutablePrefixesAreChecked() throws Exception {
    Cap ro = Caps.parse("ro.URI:SSK-RO:" + KEY + ":" + HASH);
    assertEquals("sdmf-read", ro.kind());
    assertErrorMentions("ro." + SSK, "writable", "read-only");
    assertErrorMentions("ro.URI:DIR2-MDMF:" + KEY + ":" + HASH, "writable");
    assertEquals("chk-read", Caps.parse("imm." + CHK).kind());
    assertEquals("sdmf-verify", Caps.parse("imm.URI:SSK-Verifier:" + KEY + ":" + HASH).kind());
    assertErrorMentions("imm.URI:SSK-RO:" + KEY + ":" + HASH, "mutable", "immutable");
    assertErrorMentions("imm." + MDMF, "immutable");
    assertErrorMentions("ro.ro." + CHK, "must start with 'URI:'");
  }

  @Test
  void errorsSayWhatIsWrong() {
    assertErrorMentions("", "must start with 'URI:'");
    assertErrorMentions("URI:", "no ':' after the kind");
    assertErrorMentions("URI:FOO:bar", "unknown cap kind 'URI:FOO:'");
    assertErrorMentions("URI:CHK:" + KEY.substring(1) + ":" + HASH + ":3:10:5", "key", "26", "25");
    assertErrorMentions("URI:CHK:" + KEY.toUpperCase() + ":" + HASH + ":3:10:5", "key", "invalid base32 character");
    // 'b' in the last place of a 16-byte field sets pad bits.
    assertErrorMentions("URI:CHK:" + KEY.substring(0, 25) + "b:" + HASH + ":3:10:5", "pad bits");
    assertErrorMentions("URI:CHK:" + KEY + ":" + HASH + ":0:10:5", "k must be between 1 and 256, got 0");
    assertErrorMentions("URI:CHK:" + KEY + ":" + HASH + ":3:257:5", "N must be between 1 and 256");
    assertErrorMentions("URI:CHK:" + KEY + ":" + HASH + ":4:3:5", "N (3) must not be smaller than k (4)");
    assertErrorMentions("URI:CHK:" + KEY + ":" + HASH + ":03:10:5", "leading zeros");
    assertErrorMentions("URI:CHK:" + KEY + ":" + HASH + ":3:10:-5", "size must be a decimal number");
    assertErrorMentions("URI:CHK:" + KEY + ":" + HASH + ":3:10:99999999999999999999", "size is too large");
    assertErrorMentions("URI:CHK-Verifier:" + KEY + ":" + HASH + ":3:10:x", "size is missing");
    assertErrorMentions("URI:LIT:a", "URI:LIT:", "data");
    assertErrorMentions(CHK + " ", "invalid character U+0020 at position " + CHK.length());
    assertErrorMentions("URI:SSK:" + KEY, "expected 2 fields");
    assertErrorMentions(null, "missing");
    assertErrorMentions("astdnkugdb6eoq47ko3kgnxoye", "bare storage index");
  }

  @Test
  void errorsNeverEchoTheSecretKey() {
    String bad = "URI:SSK:" + KEY + ":" + HASH.substring(1);
    assertFalse(error(bad).contains(KEY));
  }

  @Test
  void capsDoNotShareMutableArrays() throws Exception {
    byte[] key = Base32.decode(KEY);
    ChkReadCap c = new ChkReadCap(ImmutableBytes.copyOf(key), ImmutableBytes.fromBase32(HASH), 3, 10, 1100000);
    key[0] ^= 1;
    assertEquals(CHK, c.format());
    byte[] out = c.key().toByteArray();
    out[0] ^= 1;
    assertEquals(CHK, c.format());
  }

  @Test
  void constructorsRejectInvalidFields() {
    ImmutableBytes k = ImmutableBytes.fromBase32(KEY);
    ImmutableBytes h = ImmutableBytes.fromBase32(HASH);
    assertThrows(IllegalArgumentException.class, () -> new ChkReadCap(h, h, 3, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> new ChkReadCap(k, h, 3, 2, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new MutableWriteCap(MutableFormat.SDMF, k, h, ":x"));
    assertThrows(IllegalArgumentException.class,
        () -> new MutableReadCap(MutableFormat.MDMF, k, h, "x"));
    ChkReadCap chk = new ChkReadCap(k, h, 3, 10, 1);
    assertThrows(IllegalArgumentException.class,
        () -> new DirectoryCap(chk.toVerifyCap()));
  }

  @Test
  void kindsFollowTheCliContract() throws Exception {
    assertEquals("chk-read", Caps.parse(CHK).kind());
    assertEquals("sdmf-write", Caps.parse(SSK).kind());
    assertEquals("mdmf-write", Caps.parse(MDMF).kind());
    assertEquals("mdmf-read", Caps.parse("URI:MDMF-RO:" + KEY + ":" + HASH).kind());
    assertEquals("mdmf-verify", Caps.parse("URI:MDMF-Verifier:" + KEY + ":" + HASH).kind());
    assertEquals("dir-sdmf-write", Caps.parse("URI:DIR2:" + KEY + ":" + HASH).kind());
    assertEquals("dir-sdmf-verify", Caps.parse("URI:DIR2-Verifier:" + KEY + ":" + HASH).kind());
    assertEquals("dir-chk-verify",
        Caps.parse("URI:DIR2-CHK-Verifier:" + KEY + ":" + HASH + ":1:1:60").kind());
    assertEquals("dir-mdmf-read", Caps.parse("URI:DIR2-MDMF-RO:" + KEY + ":" + HASH).kind());
  }
}
