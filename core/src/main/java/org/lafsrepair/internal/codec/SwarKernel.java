package org.lafsrepair.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A table-free kernel on 64-bit words that needs nothing beyond Java 17. Each input chunk is
 * loaded into longs and doubled seven times in GF(2^8) (eight bytes at a time: shift, then fold
 * the carried-out bit back in with 0x1D), giving x·2^b for b = 0..7. A product c·x is then the XOR
 * of the x·2^b for the set bits b of c. The doublings of a few inputs at a time are kept, and each
 * output row XORs up to four of its terms per pass over its accumulator (the first pass assigns),
 * so an accumulator is loaded and stored once per four terms rather than once per term. All inner
 * loops are simple {@code long[]} loops that C2 auto-vectorises.
 */
public final class SwarKernel implements Kernel {
  public static final SwarKernel INSTANCE = new SwarKernel();

  /** Longs per chunk: the doublings of a column group plus the accumulators stay in L1/L2. */
  static final int CHUNK_LONGS = 256;
  private static final int CHUNK_BYTES = CHUNK_LONGS * 8;
  /** Output rows per pass over the input; bounds the accumulators to 32 KiB. */
  static final int ROW_GROUP = 16;
  /** Inputs whose doublings are held at once (up to 16 KiB each). */
  static final int COL_GROUP = 3;
  /** Terms XORed into an accumulator per pass. */
  private static final int FUSE = 4;

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
    /** pow[c][b]: input c of the column group times 2^b. */
    final long[][][] pow = new long[COL_GROUP][8][CHUNK_LONGS];
    final long[][] acc = new long[ROW_GROUP][CHUNK_LONGS];
    final long[][] terms = new long[8 * COL_GROUP][];
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
      long[][] terms = s.terms;
      int[] needed = powersNeeded[g0 / ROW_GROUP];
      for (int c0 = 0; c0 < cols; c0 += COL_GROUP) {
        int gCols = Math.min(COL_GROUP, cols - c0);
        for (int j = 0; j < gCols; j++) {
          int need = needed[c0 + j];
          if (need == 0) {
            continue;
          }
          byte[] x = in[c0 + j];
          long[][] pow = s.pow[j];
          long[] p0 = pow[0];
          for (int i = 0; i < nl; i++) {
            p0[i] = (long) LONGS.get(x, ib + (i << 3));
          }
          for (int b = 1; b < need; b++) {
            double2(pow[b - 1], pow[b], nl);
          }
        }
        boolean first = c0 == 0;
        for (int r = 0; r < gRows; r++) {
          int[] row = coef[g0 + r];
          int t = 0;
          for (int j = 0; j < gCols; j++) {
            long[][] pow = s.pow[j];
            for (int c = row[c0 + j]; c != 0; c &= c - 1) {
              terms[t++] = pow[Integer.numberOfTrailingZeros(c)];
            }
          }
          combine(acc[r], first, terms, t, nl);
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

    /** a = (assign ? 0 : a) ^ terms[0] ^ ... ^ terms[count - 1], FUSE terms per pass. */
    private static void combine(long[] a, boolean assign, long[][] terms, int count, int nl) {
      if (count == 0) {
        if (assign) {
          java.util.Arrays.fill(a, 0, nl, 0L);
        }
        return;
      }
      for (int t = 0; t < count; t += FUSE) {
        int m = Math.min(FUSE, count - t);
        boolean set = assign && t == 0;
        switch (m) {
          case 1 -> {
            if (set) {
              System.arraycopy(terms[t], 0, a, 0, nl);
            } else {
              xor1(a, terms[t], nl);
            }
          }
          case 2 -> {
            if (set) {
              set2(a, terms[t], terms[t + 1], nl);
            } else {
              xor2(a, terms[t], terms[t + 1], nl);
            }
          }
          case 3 -> {
            if (set) {
              set3(a, terms[t], terms[t + 1], terms[t + 2], nl);
            } else {
              xor3(a, terms[t], terms[t + 1], terms[t + 2], nl);
            }
          }
          default -> {
            if (set) {
              set4(a, terms[t], terms[t + 1], terms[t + 2], terms[t + 3], nl);
            } else {
              xor4(a, terms[t], terms[t + 1], terms[t + 2], terms[t + 3], nl);
            }
          }
        }
      }
    }

    private static void double2(long[] src, long[] dst, int nl) {
      for (int i = 0; i < nl; i++) {
        dst[i] = twice(src[i]);
      }
    }

    private static long twice(long v) {
      long h = (v >>> 7) & ONES;
      return ((v & LOW7) << 1) ^ (h << 4) ^ (h << 3) ^ (h << 2) ^ h;
    }

    private static void xor1(long[] a, long[] p, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] ^= p[i];
      }
    }

    private static void xor2(long[] a, long[] p, long[] q, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] ^= p[i] ^ q[i];
      }
    }

    private static void xor3(long[] a, long[] p, long[] q, long[] r, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] ^= p[i] ^ q[i] ^ r[i];
      }
    }

    private static void xor4(long[] a, long[] p, long[] q, long[] r, long[] u, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] ^= p[i] ^ q[i] ^ r[i] ^ u[i];
      }
    }

    private static void set2(long[] a, long[] p, long[] q, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] = p[i] ^ q[i];
      }
    }

    private static void set3(long[] a, long[] p, long[] q, long[] r, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] = p[i] ^ q[i] ^ r[i];
      }
    }

    private static void set4(long[] a, long[] p, long[] q, long[] r, long[] u, int nl) {
      for (int i = 0; i < nl; i++) {
        a[i] = p[i] ^ q[i] ^ r[i] ^ u[i];
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
