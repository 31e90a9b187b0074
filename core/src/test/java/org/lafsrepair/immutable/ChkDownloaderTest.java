package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.cap.ChkReadCap;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ServerUnavailableException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.testing.ChkCorpus;

class ChkDownloaderTest {

  static ChkReadCap readCap(ChkCorpus.Case c) {
    try {
      return (ChkReadCap) Caps.parse(c.readCap());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static ShareCandidate candidate(int sh, byte[] data, String origin) {
    return new ShareCandidate(ShareNumber.of(sh), ShareSource.of(data), origin);
  }

  static List<ShareCandidate> all(ChkCorpus.Case c) {
    List<ShareCandidate> out = new ArrayList<>();
    for (ChkCorpus.Share s : c.shares()) {
      out.add(candidate(s.shnum(), s.shareData(), "server" + s.shnum()));
    }
    return out;
  }

  static byte[] download(ChkCorpus.Case c, List<ShareCandidate> cands) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ChkDownloader.Result r = ChkDownloader.download(readCap(c), cands, out);
    assertEquals(c.size(), r.size());
    return out.toByteArray();
  }

  static void assertPlaintext(ChkCorpus.Case c, byte[] got) {
    assertEquals(c.plaintextSha256(), HexFormat.of().formatHex(Hashes.sha256().digest(got)), c.name());
  }

  static Stream<ChkCorpus.Case> corpus() {
    return ChkCorpus.cases().stream();
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void downloadsEveryCorpusFile(ChkCorpus.Case c) throws Exception {
    assertPlaintext(c, download(c, all(c)));
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void anyKSharesSuffice(ChkCorpus.Case c) throws Exception {
    Random r = new Random(c.name().hashCode());
    for (int trial = 0; trial < 6; trial++) {
      List<ShareCandidate> cands = all(c);
      Collections.shuffle(cands, r);
      assertPlaintext(c, download(c, cands.subList(0, c.k())));
    }
  }

  @Property(tries = 40)
  void corruptSharesMixedInAreSkipped(
      @ForAll @IntRange(min = 0, max = 3) int caseIndex,
      @ForAll @IntRange(min = 0, max = 1 << 30) int seed) throws Exception {
    ChkCorpus.Case c = ChkCorpus.cases().get(caseIndex);
    Random r = new Random(seed);
    List<ShareCandidate> cands = new ArrayList<>();
    int corrupted = 0;
    for (ChkCorpus.Share s : c.shares()) {
      byte[] d = s.shareData();
      // Corrupt up to N-k shares anywhere; the rest must carry the download.
      if (corrupted < c.n() - c.k() && r.nextBoolean()) {
        d[r.nextInt(d.length)] ^= (byte) (1 << r.nextInt(8));
        corrupted++;
      }
      cands.add(candidate(s.shnum(), d, "server" + s.shnum()));
    }
    Collections.shuffle(cands, r);
    assertPlaintext(c, download(c, cands));
  }

  @Test
  void failingServersAreSkippedAndReported() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k3n10-1100000");
    List<ShareCandidate> cands = new ArrayList<>();
    // Shares 0 and 1 are served by a server that dies after its metadata was read.
    for (int sh = 0; sh < 2; sh++) {
      byte[] d = c.share(sh).shareData();
      ShareSource good = ShareSource.of(d);
      int[] calls = {0};
      cands.add(new ShareCandidate(ShareNumber.of(sh), (off, len) -> {
        if (++calls[0] > 4) { // header, metadata tail, two blocks
          throw new ServerUnavailableException("gone");
        }
        return good.read(off, len);
      }, "flaky"));
    }
    cands.addAll(all(c).subList(2, 10));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ChkDownloader.Result r = ChkDownloader.download(readCap(c), cands, out);
    assertPlaintext(c, out.toByteArray());
    assertEquals(2, r.failures().size(), r.failures()::toString);
  }

  @Test
  void fewerThanKGoodSharesIsATypedFailure() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k5n7-525534");
    List<ShareCandidate> cands = new ArrayList<>(all(c).subList(0, 4));
    byte[] bad = c.share(5).shareData();
    ShareLayout l = ShareLayout.parse(ByteBuffer.wrap(bad));
    bad[(int) l.dataOffset() + 2 * 26215 + 9] ^= 1; // a block in segment 2
    cands.add(candidate(5, bad, "bad"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NotEnoughSharesException e = assertThrows(NotEnoughSharesException.class,
        () -> ChkDownloader.download(readCap(c), cands, out));
    assertEquals(5, e.needed());
    assertEquals(4, e.good());
    assertFalse(e.failures().isEmpty());
    // Only the first two segments (verified) were emitted.
    assertEquals(2 * 131075, out.size());
    byte[] plain = c.plaintext();
    assertArrayEquals(java.util.Arrays.copyOf(plain, out.size()), out.toByteArray());
    assertThrows(NotEnoughSharesException.class,
        () -> ChkDownloader.download(readCap(c), List.of(), new ByteArrayOutputStream()));
  }

  @Test
  void duplicateCopiesOfAShareAreUsedAsSpares() throws Exception {
    ChkCorpus.Case c = ChkCorpus.byName("chk-k2n3-131073");
    byte[] bad = c.share(0).shareData();
    bad[40] ^= 1;
    List<ShareCandidate> cands = List.of(
        candidate(0, bad, "a"), candidate(0, c.share(0).shareData(), "b"),
        candidate(1, c.share(1).shareData(), "c"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ChkDownloader.Result r = ChkDownloader.download(readCap(c), cands, out);
    assertPlaintext(c, out.toByteArray());
    assertTrue(r.failures().stream().anyMatch(f -> f.candidate().origin().equals("a")));
  }
}
