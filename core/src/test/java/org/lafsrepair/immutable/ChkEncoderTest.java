package org.lafsrepair.immutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.testing.ChkCorpus;
import org.lafsrepair.testing.TahoeCapVectors;

class ChkEncoderTest {

  static String capString(ChkEncoding e) {
    return e.cap().format();
  }

  static Stream<ChkCorpus.Case> corpus() {
    return ChkCorpus.cases().stream();
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void reproducesCorpusCapAndEveryShareByteForByte(ChkCorpus.Case c) throws Exception {
    ChkEncoder enc = ChkEncoder.convergent(c.k(), c.n(), c.maxSegmentSize(), c.convergenceSecret());
    PlaintextSource src = PlaintextSource.of(c.plaintext());
    ChkEncoder.Prepared p = enc.prepare(src);
    assertFalse(p.isLiteral());
    assertEquals(c.segmentSize(), p.geometry().segmentSize());
    long len = p.shareLength();
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    Map<Integer, MemorySink> mem = new HashMap<>();
    for (int sh = 0; sh < c.n(); sh++) {
      MemorySink m = new MemorySink(len);
      mem.put(sh, m);
      sinks.put(ShareNumber.of(sh), m);
    }
    ChkEncoding e = p.writeShares(src, sinks);
    assertEquals(c.readCap(), capString(e));
    assertEquals(len, e.shareLength());
    for (int sh = 0; sh < c.n(); sh++) {
      assertTrue(mem.get(sh).complete(), "share " + sh + " fully written");
      assertArrayEquals(c.share(sh).shareData(), mem.get(sh).bytes(), c + " share " + sh);
    }
  }

  static Stream<TahoeCapVectors.Vector> chkVectors() {
    return TahoeCapVectors.all().stream().filter(TahoeCapVectors.Vector::isChk);
  }

  @ParameterizedTest
  @MethodSource("chkVectors")
  void reproducesTahoeCapVector(TahoeCapVectors.Vector v) throws Exception {
    ChkEncoder enc = ChkEncoder.convergent(v.k(), v.n(), v.maxSegmentSize(), v.convergence());
    byte[] plain = v.plaintext();
    ChkEncoding e = enc.encode(PlaintextSource.of(plain), Map.of());
    assertEquals(v.expected(), capString(e));
  }

  @Test
  void smallFilesAreLiteral() throws Exception {
    ChkEncoder enc = ChkEncoder.convergent(3, 10, 131072, new byte[32]);
    for (int size : new int[] {0, 1, 55}) {
      byte[] data = new byte[size];
      ChkEncoding e = enc.encode(PlaintextSource.of(data), Map.of());
      assertTrue(e.isLiteral());
      assertArrayEquals(data, e.literalData().orElseThrow());
    }
    assertFalse(enc.prepare(PlaintextSource.of(new byte[56])).isLiteral());
  }

  @Test
  void sourceChangingLengthBetweenPassesFails() throws Exception {
    ChkEncoder enc = ChkEncoder.convergent(2, 3, 4096, new byte[32]);
    byte[][] content = {new byte[10000]};
    PlaintextSource src =
        PlaintextSource.of(10000, () -> new ByteArrayInputStream(content[0]));
    ChkEncoder.Prepared p = enc.prepare(src);
    content[0] = new byte[9999];
    assertThrows(IOException.class, () -> p.writeShares(src, Map.of()));
    content[0] = new byte[10001];
    assertThrows(IOException.class, () -> p.writeShares(src, Map.of()));
    assertThrows(IOException.class, () -> enc.prepare(src));
  }

  @Test
  void streamsLargeFileWithBoundedMemory() throws Exception {
    // 64 MiB through a 3-of-10 encode without the file in memory: the sinks only count bytes.
    long size = 64L << 20;
    PlaintextSource src = PlaintextSource.of(size, () -> new ZeroStream(size));
    ChkEncoder enc = ChkEncoder.convergent(3, 10, 131072, new byte[32]);
    ChkEncoder.Prepared p = enc.prepare(src);
    long[] written = new long[10];
    Map<ShareNumber, ShareSink> sinks = new HashMap<>();
    for (int sh = 0; sh < 10; sh++) {
      int s = sh;
      sinks.put(ShareNumber.of(sh), (off, b) -> written[s] += b.remaining());
    }
    ChkEncoding e = p.writeShares(src, sinks);
    for (long w : written) {
      assertEquals(e.shareLength(), w);
    }
    assertEquals(List.of(512), List.of(e.geometry().numSegments()));
  }

  /** An input stream of zeros, for large-file tests without large arrays. */
  static final class ZeroStream extends java.io.InputStream {
    private long left;

    ZeroStream(long size) {
      this.left = size;
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return 0;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      left -= n;
      return n;
    }
  }
}
