package org.lafsrepair.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ErasureCodecValidationTest {
  private final ErasureCodec codec = ErasureCodec.of(3, 10);
  private final byte[][] data = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}};

  @Test
  void rejectsImpossibleParameters() {
    assertThrows(CodecException.class, () -> ErasureCodec.of(0, 1));
    assertThrows(CodecException.class, () -> ErasureCodec.of(4, 3));
    assertThrows(CodecException.class, () -> ErasureCodec.of(1, 257));
    assertEquals(256, ErasureCodec.of(101, 256).n());
  }

  @Test
  void codecsAreCachedPerParameters() {
    assertSame(ErasureCodec.of(3, 10), ErasureCodec.of(3, 10));
    assertEquals(3, codec.k());
    assertEquals(10, codec.n());
  }

  @Test
  void primaryShareNumbersGiveFreshCopiesOfTheInput() {
    byte[][] out = codec.encode(data, 2, 0);
    assertArrayEquals(data[2], out[0]);
    assertArrayEquals(data[0], out[1]);
    assertNotSame(data[2], out[0]);
  }

  @Test
  void rejectsWrongBlockCountsAndSizes() {
    assertThrows(CodecException.class, () -> codec.encode(new byte[][] {{1}, {2}}, 5));
    assertThrows(CodecException.class, () -> codec.encode(new byte[][] {{1}, {2}, {3, 4}}, 5));
    assertThrows(CodecException.class, () -> codec.encode(new byte[][] {{1}, null, {3}}, 5));
    byte[][] checks = codec.encode(data, 7, 8, 9);
    assertThrows(
        CodecException.class,
        () -> codec.decode(new int[] {7, 8}, new byte[][] {checks[0], checks[1]}, 0));
    assertThrows(
        CodecException.class,
        () ->
            codec.decode(
                new int[] {7, 8, 9, 1},
                new byte[][] {checks[0], checks[1], checks[2], data[1]},
                0));
    assertThrows(
        CodecException.class,
        () -> codec.decode(new int[] {7, 8, 9}, new byte[][] {checks[0], checks[1], {1}}, 0));
  }

  @Test
  void rejectsDuplicateAndOutOfRangeShareNumbers() {
    byte[][] checks = codec.encode(data, 7, 8, 9);
    assertThrows(
        CodecException.class,
        () -> codec.decode(new int[] {7, 7, 9}, checks, 0));
    assertThrows(
        CodecException.class,
        () -> codec.decode(new int[] {7, 8, 10}, checks, 0));
    assertThrows(
        CodecException.class,
        () -> codec.decode(new int[] {-1, 8, 9}, checks, 0));
    assertThrows(CodecException.class, () -> codec.decode(new int[] {7, 8, 9}, checks, 10));
    assertThrows(CodecException.class, () -> codec.encode(data, 10));
    assertThrows(CodecException.class, () -> codec.encode(data, -1));
  }

  @Test
  void rejectsShortOrAliasedOutputs() {
    int[] wanted = {3, 4};
    assertThrows(
        CodecException.class,
        () -> codec.encodeInto(data, 0, 4, wanted, new byte[][] {new byte[4]}, 0));
    assertThrows(
        CodecException.class,
        () -> codec.encodeInto(data, 0, 4, wanted, new byte[][] {new byte[4], new byte[3]}, 0));
    assertThrows(
        CodecException.class,
        () -> codec.encodeInto(data, 0, 4, wanted, new byte[][] {new byte[4], data[1]}, 0));
    assertThrows(
        CodecException.class,
        () -> codec.encodeInto(data, 1, 4, wanted, new byte[][] {new byte[8], new byte[8]}, 0));
  }

  @Test
  void decodeAcceptsBlocksInAnyOrder() {
    byte[][] all = codec.encode(data, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    byte[][] a = codec.decode(new int[] {9, 1, 5}, new byte[][] {all[9], all[1], all[5]}, 0, 2, 6);
    byte[][] b = codec.decode(new int[] {1, 5, 9}, new byte[][] {all[1], all[5], all[9]}, 0, 2, 6);
    assertArrayEquals(new byte[][] {all[0], all[2], all[6]}, a);
    assertArrayEquals(a, b);
  }

  @Test
  void emptyBlocksCodeToEmptyBlocks() {
    byte[][] out = codec.encode(new byte[3][0], 0, 5, 9);
    assertEquals(3, out.length);
    assertEquals(0, out[1].length);
  }

  @Test
  void oneOfNIsReplication() {
    ErasureCodec rep = ErasureCodec.of(1, 4);
    byte[][] out = rep.encode(new byte[][] {{42, 43}}, 0, 1, 2, 3);
    for (byte[] b : out) {
      assertArrayEquals(new byte[] {42, 43}, b);
    }
  }
}
