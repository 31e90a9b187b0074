package org.lafsrepair.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.lafsrepair.codec.CodecKernel;
import org.junit.jupiter.api.Test;

/**
 * Fast kernels against the scalar oracle at the sizes where their loops change shape: vector
 * width, SWAR chunk and row group, vector stripe, and the scalar tails.
 */
class KernelAgreementTest {
  private static final int[] SIZES = {
    0, 1, 7, 8, 15, 31, 63, 64, 65, 127, 128, 129, 191, 192, 1023, 1024, 1025, 1031, 2047, 2048, 2049, 4096 + 13, 8191, 8192, 8193, 16384 + 77
  };
  private static final int[] ROWS = {1, 2, 3, 4, 5, 6, 7, 8, 12, 15, 16, 17, 33};
  /** Paired with ROWS: every count around the SWAR column group (3) and its multiples. */
  private static final int[] COLS = {1, 2, 3, 4, 5, 6, 7, 12, 9, 10, 11, 8, 13};

  static List<Kernel> fastKernels() {
    List<Kernel> ks = new ArrayList<>(List.of(Kernels.get(CodecKernel.SWAR)));
    if (Kernels.vectorAvailable()) {
      ks.add(Kernels.get(CodecKernel.VECTOR));
    }
    return ks;
  }

  @Test
  void fastKernelsMatchTheScalarOracleAtEveryLoopBoundary() {
    Random rnd = new Random(42);
    int checked = 0;
    for (int ri = 0; ri < ROWS.length; ri++) {
      int rows = ROWS[ri];
      int cols = COLS[ri];
      int[][] m = new int[rows][cols];
      for (int[] row : m) {
        for (int c = 0; c < cols; c++) {
          // Include the special coefficients 0 and 1 often.
          int p = rnd.nextInt(8);
          row[c] = p == 0 ? 0 : p == 1 ? 1 : p == 2 ? 255 : rnd.nextInt(256);
        }
      }
      Kernel.MatrixOp oracle = ScalarKernel.INSTANCE.prepare(m);
      List<Kernel.MatrixOp> ops = new ArrayList<>();
      for (Kernel k : fastKernels()) {
        ops.add(k.prepare(m));
      }
      for (int size : SIZES) {
        int inOff = rnd.nextInt(9);
        int outOff = rnd.nextInt(9);
        byte[][] in = new byte[cols][inOff + size + 3];
        for (byte[] b : in) {
          rnd.nextBytes(b);
        }
        byte[][] expected = new byte[rows][outOff + size];
        oracle.apply(in, inOff, expected, outOff, size);
        for (Kernel.MatrixOp op : ops) {
          byte[][] got = new byte[rows][outOff + size];
          op.apply(in, inOff, got, outOff, size);
          assertArrayEquals(expected, got, rows + "x" + cols + " size " + size);
          checked++;
        }
      }
    }
    assertEquals(ROWS.length * SIZES.length * fastKernels().size(), checked);
  }

  @Test
  void scalarKernelMultipliesLikeTheField() {
    int[][] m = {{0x53}, {0x02}};
    byte[][] in = {{(byte) 0xCA, 0x01, (byte) 0x80}};
    byte[][] out = new byte[2][3];
    ScalarKernel.INSTANCE.prepare(m).apply(in, 0, out, 0, 3);
    assertEquals(GaloisField.mul(0x53, 0xCA), out[0][0] & 0xFF);
    assertEquals(0x53, out[0][1] & 0xFF);
    // 0x80·2 overflows and is reduced by 0x11D: 0x100 ^ 0x11D = 0x1D.
    assertEquals(0x1D, out[1][2] & 0xFF);
  }
}
