package org.lafsrepair.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A table-free kernel on 64-bit words that needs nothing beyond Java 17. Each input chunk is
 * loaded into longs and doubled seven times in GF(2^8) (eight bytes at a time: shift, then fold
 * the carried-out bit back in with 0x1D), giving x·2^b for b = 0..7. A product c·x is then the XOR
 * of the x·2^b for the set bits b of c, so every output row costs popcount(c) XOR passes per
 * input, and the doublings are shared by all rows. All inner loops are simple {@code long[]}
 * loops that C2 auto-vectorises.
 */
public final class SwarKernel implements Kernel {
  public static final SwarKernel INSTANCE = new SwarKernel();

  /** Longs per chunk: 8 KiB of powers plus the accumulators stay in L1/L2. */
  static final int CHUNK_LONGS = 128;
  private static final int CHUNK_BYTES = CHUNK_LONGS * 8;
  /** Output rows per pass over the input; bounds the accumulators to 16 KiB. */
  static final int ROW_GROUP = 16;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
  private static final long ONES = 0x0101010101010101L;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private SwarKernel() {}

  @Override
  public String name() {
    return "swar";
  }

  @Override
  public MatrixOp prepare(int[][] coefficients) {
    return new Op(coefficients);
  }

  private static final class Scratch {
    final long[][] pow = new long[8][CHUNK_LONGS];
    final long[][] acc = new long[ROW_GROUP][CHUNK_LONGS];
  }

  private static final class Op implements MatrixOp {
    private final int rows;
    private final int cols;
    private final int[][] coef;
    /** Per row group and column, how many doublings the group needs (highest set bit + 1). */
    private final int[][] powersNeeded;

    Op(int[][] coefficients) {
      rows = coefficients.length;
      cols = rows == 0 ? 0 : coefficients[0].length;
      coef = new int[rows][];
      for (int r = 0; r < rows; r++) {
        coef[r] = coefficients[r].clone();
      }
      int groups = (rows + ROW_GROUP - 1) / ROW_GROUP;
      powersNeeded = new int[groups][cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          int need = 32 - Integer.numberOfLeadingZeros(coef[r][c] & 0xFF);
          int g = r / ROW_GROUP;
          powersNeeded[g][c] = Math.max(powersNeeded[g][c], need);
        }
      }
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public int columns() {
      return cols;
    }

    @Override
    public void apply(byte[][] in, int inOff, byte[][] out, int outOff, int len) {
      Scratch s = SCRATCH.get();
      int whole = len & ~(CHUNK_BYTES - 1);
      for (int pos = 0; pos < whole; pos += CHUNK_BYTES) {
        for (int g0 = 0; g0 < rows; g0 += ROW_GROUP) {
          chunk(s, in, inOff + pos, out, outOff + pos, g0, Math.min(ROW_GROUP, rows - g0), CHUNK_LONGS);
        }
      }
      int rest = len - whole;
      int restLongs = rest >>> 3;
      if (restLongs > 0) {
        for (int g0 = 0; g0 < rows; g0 += ROW_GROUP) {
          chunk(s, in, inOff + whole, out, outOff + whole, g0, Math.min(ROW_GROUP, rows - g0), restLongs);
        }
      }
      int tail = whole + restLongs * 8;
      if (tail < len) {
        scalarTail(in, inOff + tail, out, outOff + tail, len - tail);
      }
    }

    private void chunk(
        Scratch s, byte[][] in, int ib, byte[][] out, int ob, int g0, int gRows, int nl) {
      long[][] acc = s.acc;
      long[][] pow = s.pow;
      for (int r = 0; r < gRows; r++) {
        java.util.Arrays.fill(acc[r], 0, nl, 0L);
      }
      int[] needed = powersNeeded[g0 / ROW_GROUP];
      for (int j = 0; j < cols; j++) {
        int need = needed[j];
        if (need == 0) {
          continue;
        }
        byte[] x = in[j];
        long[] p0 = pow[0];
        for (int i = 0; i < nl; i++) {
          p0[i] = (long) LONGS.get(x, ib + (i << 3));
        }
        for (int b = 1; b < need; b++) {
          double2(pow[b - 1], pow[b], nl);
        }
        for (int r = 0; r < gRows; r++) {
          int c = coef[g0 + r][j];
          long[] a = acc[r];
          while (c != 0) {
            int b = Integer.numberOfTrailingZeros(c);
            c &= c - 1;
            xorInto(a, pow[b], nl);
          }
        }
      }
      for (int r = 0; r < gRows; r++) {
        byte[] o = out[g0 + r];
        long[] a = acc[r];
        for (int i = 0; i < nl; i++) {
          LONGS.set(o, ob + (i << 3), a[i]);
        }
      }
    }

    private static void double2(long[] src, long[] dst, int nl) {
      for (int i = 0; i < nl; i++) {
        long v = src[i];
        long h = (v >>> 7) & ONES;
        dst[i] = ((v & LOW7) << 1) ^ (h << 4) ^ (h << 3) ^ (h << 2) ^ h;
      }
    }

    private static void xorInto(long[] a, long[] p, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] ^= p[i];
      }
    }

    private void scalarTail(byte[][] in, int ib, byte[][] out, int ob, int n) {
      for (int r = 0; r < rows; r++) {
        byte[] o = out[r];
        for (int i = 0; i < n; i++) {
          int v = 0;
          for (int j = 0; j < cols; j++) {
            v ^= GaloisField.mul(coef[r][j], in[j][ib + i] & 0xFF);
          }
          o[ob + i] = (byte) v;
        }
      }
    }
  }
}
