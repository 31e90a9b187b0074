package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.lafsrepair.cap.ChkReadCap;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;

/** Encode → verify → download from random k → rebuild, for random sizes, codes and segments. */
class ChkRoundTripTest {

  @Property(tries = 40)
  void encodeVerifyDownloadRebuild(
      @ForAll @IntRange(min = 56, max = 120_000) int size,
      @ForAll @IntRange(min = 1, max = 12) int n,
      @ForAll @IntRange(min = 1, max = 12) int kk,
      @ForAll @IntRange(min = 1, max = 40_000) int maxSeg,
      @ForAll long seed) throws Exception {
    int k = Math.min(kk, n);
    Random r = new Random(seed);
    byte[] plain = new byte[size];
    r.nextBytes(plain);
    byte[] secret = new byte[32];
    r.nextBytes(secret);
    ChkEncoder.Prepared p =
        ChkEncoder.convergent(k, n, maxSeg, secret).prepare(PlaintextSource.of(plain));
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    List<MemorySink> mem = new ArrayList<>();
    for (int sh = 0; sh < n; sh++) {
      MemorySink m = new MemorySink(p.shareLength());
      mem.add(m);
      sinks.put(ShareNumber.of(sh), m);
    }
    ChkEncoding e = p.writeShares(PlaintextSource.of(plain), sinks);
    ChkReadCap cap = e.readCap();
    List<ShareCandidate> cands = new ArrayList<>();
    for (int sh = 0; sh < n; sh++) {
      assertTrue(mem.get(sh).complete());
      byte[] data = mem.get(sh).bytes();
      ShareVerdict v = ChkVerifier.verify(e.verifyCap(), ShareNumber.of(sh), ShareSource.of(data));
      assertTrue(v.isGood(), v::toString);
      cands.add(new ShareCandidate(ShareNumber.of(sh), ShareSource.of(data), "s" + sh));
    }
    Collections.shuffle(cands, r);
    List<ShareCandidate> someK = cands.subList(0, k);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(size, ChkDownloader.download(cap, someK, out).size());
    assertArrayEquals(plain, out.toByteArray());

    int w = r.nextInt(n);
    ChkRebuilder.Prepared rb = ChkRebuilder.prepare(e.verifyCap(), someK);
    MemorySink m = new MemorySink(rb.shareLength());
    rb.rebuild(Map.of(ShareNumber.of(w), m));
    assertArrayEquals(mem.get(w).bytes(), m.bytes());
  }
}
