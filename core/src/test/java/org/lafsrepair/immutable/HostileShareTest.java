package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.testing.ChkCorpus;

/** Garbage, hostile headers and the other layout version: always a verdict, never a crash. */
class HostileShareTest {

  @Property(tries = 300)
  void arbitraryBytesGetAVerdict(@ForAll @Size(max = 600) byte[] junk,
      @ForAll @IntRange(min = 0, max = 3) int caseIndex) throws Exception {
    ChkCorpus.Case c = ChkCorpus.cases().get(caseIndex);
    ShareVerdict v = ChkVerifier.verify(
        ChkVerifierTest.verifyCap(c), ShareNumber.of(0), ShareSource.of(junk));
    assertFalse(v.isGood());
  }

  @Property(tries = 300)
  void hostileHeaderFieldsGetAVerdict(
      @ForAll @IntRange(min = 0, max = 8) int field, @ForAll int value,
      @ForAll @IntRange(min = 0, max = 3) int caseIndex) throws Exception {
    ChkCorpus.Case c = ChkCorpus.cases().get(caseIndex);
    byte[] d = c.share(0).shareData();
    ByteBuffer.wrap(d).putInt(4 * field, value);
    ShareVerdict v =
        ChkVerifier.verify(ChkVerifierTest.verifyCap(c), ShareNumber.of(0), ShareSource.of(d));
    if (value != ByteBuffer.wrap(c.share(0).shareData()).getInt(4 * field)) {
      assertFalse(v.isGood(), v::toString);
    }
  }

  @Property(tries = 100)
  void hostileUebLengthGetsAVerdict(@ForAll long value,
      @ForAll @IntRange(min = 0, max = 3) int caseIndex) throws Exception {
    ChkCorpus.Case c = ChkCorpus.cases().get(caseIndex);
    byte[] v2 = toLayoutV2(c.share(0).shareData());
    ShareLayout l = ShareLayout.parse(ByteBuffer.wrap(v2));
    long orig = ByteBuffer.wrap(v2).getLong((int) l.uriExtensionOffset());
    ByteBuffer.wrap(v2).putLong((int) l.uriExtensionOffset(), value);
    ShareVerdict v =
        ChkVerifier.verify(ChkVerifierTest.verifyCap(c), ShareNumber.of(0), ShareSource.of(v2));
    if (value != orig) {
      assertFalse(v.isGood(), v::toString);
    }
  }

  /** Rewrites a layout-v1 share as the layout-v2 share of the same file. */
  static byte[] toLayoutV2(byte[] v1) throws Exception {
    ShareLayout l1 = ShareLayout.parse(ByteBuffer.wrap(v1));
    int shift = 0x44 - 0x24;
    ShareLayout l2 = new ShareLayout(2, l1.blockSize(), l1.shareDataSize(),
        l1.dataOffset() + shift, l1.plaintextTreeOffset() + shift,
        l1.crypttextTreeOffset() + shift, l1.blockHashesOffset() + shift,
        l1.shareHashesOffset() + shift, l1.uriExtensionOffset() + shift);
    int uebLen = ByteBuffer.wrap(v1).getInt((int) l1.uriExtensionOffset());
    ByteBuffer out = ByteBuffer.allocate((int) l2.totalLength(uebLen));
    out.put(l2.headerBytes());
    out.put(v1, 0x24, (int) l1.uriExtensionOffset() - 0x24);
    out.putLong(uebLen);
    out.put(v1, (int) l1.uebOffset(), uebLen);
    return out.array();
  }

  @Test
  void layoutVersion2SharesVerifyDownloadAndRebuildAsV1() throws Exception {
    for (ChkCorpus.Case c : ChkCorpus.cases()) {
      List<ShareCandidate> cands = new ArrayList<>();
      for (ChkCorpus.Share s : c.shares()) {
        byte[] v2 = toLayoutV2(s.shareData());
        assertTrue(ChkVerifierTest.verify(c, s.shnum(), v2).isGood(), c + " v2 share");
        cands.add(new ShareCandidate(ShareNumber.of(s.shnum()), ShareSource.of(v2), "v2"));
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ChkDownloader.download(ChkDownloaderTest.readCap(c), cands, out);
      ChkDownloaderTest.assertPlaintext(c, out.toByteArray());
      // Rebuilt shares take the layout Tahoe's uploader would choose (v1 here).
      ChkRebuilder.Prepared p =
          ChkRebuilder.prepare(ChkVerifierTest.verifyCap(c), cands.subList(0, c.k()));
      MemorySink m = new MemorySink(p.shareLength());
      int w = c.n() - 1;
      p.rebuild(java.util.Map.of(ShareNumber.of(w), m));
      assertArrayEquals(c.share(w).shareData(), m.bytes());
    }
  }
}
