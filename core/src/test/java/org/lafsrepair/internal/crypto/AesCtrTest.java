package org.lafsrepair.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.testing.TahoeCorpus;

class AesCtrTest {

  /** Keystream computed independently: AES-ECB of each big-endian 128-bit counter block. */
  private static byte[] referenceKeystream(byte[] key, long offset, int len) throws Exception {
    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
    ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
    byte[] out = new byte[len];
    for (int i = 0; i < len; i++) {
      long pos = offset + i;
      byte[] ctr = new byte[16];
      long block = pos / 16;
      for (int b = 0; b < 8; b++) {
        ctr[15 - b] = (byte) (block >>> (8 * b));
      }
      out[i] = ecb.doFinal(ctr)[(int) (pos % 16)];
    }
    return out;
  }

  @Property(tries = 200)
  void randomAccessMatchesCounterBlockReference(
      @ForAll @Size(16) byte[] key,
      @ForAll @LongRange(min = 0, max = 1L << 44) long offset,
      @ForAll @IntRange(min = 0, max = 70) int len) throws Exception {
    byte[] zeros = new byte[len];
    assertArrayEquals(referenceKeystream(key, offset, len), AesCtr.apply(key, offset, zeros));
  }

  @Property(tries = 100)
  void streamingInChunksEqualsOneShot(
      @ForAll @Size(16) byte[] key,
      @ForAll @Size(max = 300) byte[] data,
      @ForAll @IntRange(min = 1, max = 37) int chunk,
      @ForAll @IntRange(min = 0, max = 100_000) int offset) {
    byte[] whole = AesCtr.apply(key, offset, data);
    AesCtr.Stream s = AesCtr.streamAt(key, offset);
    byte[] out = new byte[data.length];
    for (int p = 0; p < data.length; p += chunk) {
      int n = Math.min(chunk, data.length - p);
      if ((p / chunk) % 2 == 0) {
        s.apply(data, p, n, out, p);
      } else {
        s.apply(ByteBuffer.wrap(data, p, n), ByteBuffer.wrap(out, p, n));
      }
    }
    assertArrayEquals(whole, out);
    // A slice decrypted at its own offset matches the same slice of the whole stream.
    if (data.length > 10) {
      byte[] slice = Arrays.copyOfRange(data, 5, data.length - 3);
      assertArrayEquals(Arrays.copyOfRange(whole, 5, data.length - 3),
          AesCtr.apply(key, offset + 5L, slice));
    }
  }

  @Property(tries = 50)
  void repositionedStreamsMatchFreshOnes(
      @ForAll @Size(16) byte[] key1, @ForAll @Size(16) byte[] key2,
      @ForAll @Size(max = 100) byte[] data,
      @ForAll @IntRange(min = 0, max = 10_000) int off1,
      @ForAll @IntRange(min = 0, max = 10_000) int off2) {
    AesCtr.Stream s = AesCtr.streamAt(key1, off1);
    byte[] a = data.clone();
    s.applyInPlace(a);
    assertArrayEquals(AesCtr.apply(key1, off1, data), a);
    byte[] b = data.clone();
    s.reposition(key2, off2).applyInPlace(b);
    assertArrayEquals(AesCtr.apply(key2, off2, data), b);
  }

  @Property(tries = 50)
  void applyingTwiceRestoresTheInput(
      @ForAll @Size(16) byte[] key, @ForAll @Size(max = 200) byte[] data) {
    assertArrayEquals(data, AesCtr.apply(key, AesCtr.apply(key, data)));
  }

  @Test
  void rejectsWrongKeyLengthsAndNegativeOffsets() {
    assertThrows(IllegalArgumentException.class, () -> AesCtr.apply(new byte[32], new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> AesCtr.cipherAt(new byte[16], -1));
  }

  /** k=1: the single share's block is the whole ciphertext, one CTR stream under the cap's key. */
  @Test
  void decryptsTheSmallestRealChkShare() {
    JsonNode c = caseNamed("chk-k1n1-56");
    byte[] key = Base32.decode(c.get("caps").get("read").asText().split(":")[2]);
    JsonNode share = c.get("shares").get(0);
    JsonNode range = share.get("parsed").get("sections").get("block_data");
    byte[] file = TahoeCorpus.read(share.get("path").asText());
    byte[] crypt = Arrays.copyOfRange(file, range.get(0).asInt(), range.get(1).asInt());
    assertArrayEquals(TahoeCorpus.plaintext(c.get("plaintext")), AesCtr.apply(key, crypt));
  }

  /** k=2: segment 1 (the 1-byte tail) decrypts on its own at offset 131072 of the stream. */
  @Test
  void decryptsARealChkTailSegmentByRandomAccess() {
    JsonNode c = caseNamed("chk-k2n3-131073");
    byte[] key = Base32.decode(c.get("caps").get("read").asText().split(":")[2]);
    byte[] plain = TahoeCorpus.plaintext(c.get("plaintext"));
    int segsize = c.get("encoding").get("segment_size").asInt();
    int blockSize = c.get("encoding").get("block_size").asInt();
    // Tail segment: 1 data byte padded to 2, so share 0 holds the ciphertext byte in its tail block.
    JsonNode sh0 = shareNumbered(c, 0);
    byte[] file = TahoeCorpus.read(sh0.get("path").asText());
    int dataStart = sh0.get("parsed").get("sections").get("block_data").get(0).asInt();
    byte tailCrypt = file[dataStart + blockSize];
    byte[] dec = AesCtr.apply(key, segsize, new byte[] {tailCrypt});
    assertArrayEquals(Arrays.copyOfRange(plain, segsize, segsize + 1), dec);
    // And the first segment: shares 0 and 1 hold its two halves (systematic code).
    byte[] seg0 = new byte[segsize];
    for (int sh = 0; sh < 2; sh++) {
      JsonNode s = shareNumbered(c, sh);
      byte[] f = TahoeCorpus.read(s.get("path").asText());
      int start = s.get("parsed").get("sections").get("block_data").get(0).asInt();
      System.arraycopy(f, start, seg0, sh * blockSize, blockSize);
    }
    assertArrayEquals(Arrays.copyOf(plain, segsize), AesCtr.apply(key, seg0));
  }

  static JsonNode caseNamed(String name) {
    for (JsonNode c : TahoeCorpus.cases()) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new IllegalStateException("no corpus case " + name);
  }

  static JsonNode shareNumbered(JsonNode sharesOwner, int shnum) {
    for (JsonNode s : sharesOwner.get("shares")) {
      if (s.get("shnum").asInt() == shnum) {
        return s;
      }
    }
    throw new IllegalStateException("no share " + shnum);
  }
}
