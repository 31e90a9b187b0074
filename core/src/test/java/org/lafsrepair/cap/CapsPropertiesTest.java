package org.lafsrepair.cap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.testing.TahoeCapVectors;
import org.lafsrepair.testing.TahoeCorpus;

class CapsPropertiesTest {

  // ---- generators ----

  private static Arbitrary<ImmutableBytes> bytes(int n) {
    return Arbitraries.bytes().array(byte[].class).ofSize(n).map(ImmutableBytes::copyOf);
  }

  private static Arbitrary<MutableFormat> formats() {
    return Arbitraries.of(MutableFormat.class);
  }

  private static Arbitrary<String> extension(MutableFormat f) {
    if (f == MutableFormat.SDMF) {
      return Arbitraries.just("");
    }
    return Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.strings().withChars("abc0123456789:-_").ofMaxLength(12).map(s -> ":" + s));
  }

  private static Arbitrary<ChkReadCap> chkRead() {
    Arbitrary<Integer> k = Arbitraries.integers().between(1, 256);
    return Combinators.combine(bytes(16), bytes(32), k, Arbitraries.integers().between(0, 255),
            Arbitraries.longs().between(0, Long.MAX_VALUE))
        .as((key, h, kk, extra, size) ->
            new ChkReadCap(key, h, kk, Math.min(256, kk + extra), size));
  }

  private static Arbitrary<ChkVerifyCap> chkVerify() {
    Arbitrary<String> ext = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.strings().withChars("abc:XYZ-").ofMinLength(1).ofMaxLength(8));
    return Combinators.combine(chkRead(), ext).as((r, e) ->
        new ChkVerifyCap(r.index(), r.uebHash(), r.k(), r.n(), r.size(), e));
  }

  private static Arbitrary<Cap> mutable() {
    return formats().flatMap(f -> Combinators.combine(
            bytes(16), bytes(32), extension(f), Arbitraries.integers().between(0, 2))
        .as((key, fp, ext, level) -> switch (level) {
          case 0 -> new MutableWriteCap(f, key, fp, ext);
          case 1 -> new MutableReadCap(f, key, fp, ext);
          default -> new MutableVerifyCap(f, StorageIndex.of(key.toByteArray()), fp, ext);
        }));
  }

  private static Arbitrary<Cap> literal() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(80)
        .map(b -> new LiteralCap(ImmutableBytes.copyOf(b)));
  }

  @Provide
  Arbitrary<Cap> anyCap() {
    Arbitrary<Cap> file = Arbitraries.oneOf(chkRead().map(c -> (Cap) c),
        chkVerify().map(c -> (Cap) c), mutable(), literal());
    return Arbitraries.oneOf(file, file.map(CapsPropertiesTest::wrapInDirectory));
  }

  private static Cap wrapInDirectory(Cap c) {
    return c instanceof VerifyCap v ? new DirectoryVerifyCap(v) : new DirectoryCap(c);
  }

  // ---- properties ----

  @Property(tries = 2000)
  void formatThenParseIsTheIdentity(@ForAll("anyCap") Cap cap) throws Exception {
    String s = cap.format();
    Cap parsed = Caps.parse(s);
    assertEquals(cap, parsed);
    assertEquals(s, parsed.format());
    assertEquals(s, parsed.toString());
    assertEquals(cap.kind(), parsed.kind());
  }

  @Property(tries = 1000)
  void diminishingIsConsistent(@ForAll("anyCap") Cap cap) throws Exception {
    if (cap.verifyCap().isPresent()) {
      VerifyCap v = cap.verifyCap().get();
      assertEquals(cap.storageIndex().orElseThrow(), v.index());
      assertEquals(v, v.verifyCap().orElseThrow());
      assertEquals(v, Caps.parse(v.format()));
      assertTrue(v.kind().endsWith("-verify"));
      assertEquals(cap.isDirectory(), v.isDirectory());
      assertEquals(cap.isMutable(), v.isMutable());
      assertEquals(cap.fileCap().verifyCap().orElseThrow(), v.fileCap());
      assertTrue(!v.fileCap().isDirectory());
    } else {
      assertTrue(cap.kind().endsWith("lit"));
      assertTrue(cap.storageIndex().isEmpty());
    }
    cap.readCap().ifPresent(r -> {
      assertEquals(cap.storageIndex(), r.storageIndex());
      assertEquals(cap.verifyCap(), r.verifyCap());
      assertTrue(!r.isWritable());
    });
  }

  @Provide
  Arbitrary<String> hostileStrings() {
    Arbitrary<String> random = Arbitraries.strings().ofMaxLength(200);
    Arbitrary<String> capish = Arbitraries.strings()
        .withChars("URI:CHKSDMFLITRVeife-2O.romabcdqxyz2345670189 \n\u00e9\u0000")
        .ofMaxLength(160);
    Arbitrary<String> prefixed = Combinators.combine(
            Arbitraries.of(PREFIXES), Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz234567:0123456789").ofMaxLength(140))
        .as((p, rest) -> p + rest);
    Arbitrary<String> mutated = Combinators.combine(Arbitraries.of(realCaps()),
            Arbitraries.longs())
        .as((s, seed) -> mutate(s, new Random(seed)));
    return Arbitraries.oneOf(random, capish, prefixed, mutated, mutated);
  }

  /** ≥10,000 hostile strings: only CapFormatException, and anything accepted round-trips. */
  @Property(tries = 10_000)
  void hostileStringsFailOnlyWithCapFormatException(@ForAll("hostileStrings") String s) {
    checkHostile(s);
  }

  /** A deterministic sweep of mutations of every real cap, bounded in time (never hangs). */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void mutationSweepOfRealCapsNeverHangsOrThrowsOtherExceptions() {
    Random rnd = new Random(20261125L);
    List<String> caps = realCaps();
    for (int i = 0; i < 20_000; i++) {
      checkHostile(mutate(caps.get(i % caps.size()), rnd));
    }
    checkHostile("URI:LIT:" + "a".repeat(Caps.MAX_LENGTH));
    checkHostile("URI:CHK:" + ":".repeat(Caps.MAX_LENGTH / 2));
  }

  private static void checkHostile(String s) {
    Cap cap;
    try {
      cap = Caps.parse(s);
    } catch (CapFormatException e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "empty message for " + s);
      return;
    }
    if (!s.startsWith("ro.") && !s.startsWith("imm.")) {
      assertEquals(s, cap.format());
    }
    cap.storageIndex();
    cap.verifyCap();
    cap.readCap();
  }

  private static final List<String> PREFIXES = List.of("URI:CHK:", "URI:CHK-Verifier:",
      "URI:LIT:", "URI:SSK:", "URI:SSK-RO:", "URI:SSK-Verifier:", "URI:MDMF:", "URI:MDMF-RO:",
      "URI:MDMF-Verifier:", "URI:DIR2:", "URI:DIR2-RO:", "URI:DIR2-Verifier:", "URI:DIR2-CHK:",
      "URI:DIR2-CHK-Verifier:", "URI:DIR2-LIT:", "URI:DIR2-MDMF:", "URI:DIR2-MDMF-RO:",
      "URI:DIR2-MDMF-Verifier:", "ro.URI:SSK:", "imm.URI:CHK:");

  private static volatile List<String> realCaps;

  private static List<String> realCaps() {
    List<String> r = realCaps;
    if (r == null) {
      List<String> out = new ArrayList<>();
      TahoeCapVectors.all().stream().limit(40).forEach(v -> out.add(v.expected()));
      TahoeCorpus.cases().forEach(c -> c.get("caps").forEach(n -> out.add(n.asText())));
      for (String s : List.copyOf(out)) {
        int colon = s.indexOf(':', 4);
        out.add("URI:DIR2-CHK:" + s.substring(colon + 1));
        out.add("URI:DIR2-MDMF-Verifier:" + s.substring(colon + 1));
      }
      out.add("URI:LIT:nbswy3dpeb3w64tmmq");
      r = List.copyOf(out);
      realCaps = r;
    }
    return r;
  }

  private static final String NOISE = "abcdefghijklmnopqrstuvwxyz234567ABC01890:-.,/ \u00ff";

  private static String mutate(String s, Random rnd) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int op = rnd.nextInt(6);
      int pos = b.length() == 0 ? 0 : rnd.nextInt(b.length());
      char c = NOISE.charAt(rnd.nextInt(NOISE.length()));
      switch (op) {
        case 0 -> { if (b.length() > 0) { b.setCharAt(pos, c); } }
        case 1 -> b.insert(pos, c);
        case 2 -> { if (b.length() > 0) { b.deleteCharAt(pos); } }
        case 3 -> b.setLength(pos);
        case 4 -> b.insert(pos, b.substring(pos, Math.min(b.length(), pos + rnd.nextInt(30))));
        default -> {
          int colon = b.indexOf(":", pos);
          if (colon >= 0) {
            b.deleteCharAt(colon);
          }
        }
      }
    }
    return b.toString();
  }
}
