package org.lafsrepair.internal.codec;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Java Vector API kernel: split 4-bit product tables looked up with a byte shuffle (the technique
 * of ISA-L's and klauspost's SIMD kernels). For a coefficient c, c·x = LO[x &amp; 15] ^ HI[x &gt;&gt;&gt; 4],
 * where LO and HI are the 16 products of c with the low and high nibbles; a {@code selectFrom}
 * with the nibbles as indices does 16..64 lookups at once.
 *
 * <p>Up to four output rows are computed per pass, so each input vector is loaded and split into
 * nibbles once for four rows; the block is processed in stripes that keep the k input stripes in
 * cache across passes.
 *
 * <p>Compiled separately against {@code jdk.incubator.vector} (source folder {@code
 * src/main/java-vector}) and only ever loaded reflectively by {@link Kernels} once that module is
 * known to be in the boot layer. The species is a {@code static final} constant: C2 only
 * intrinsifies Vector API calls whose species it can see as a constant.
 */
public final class VectorKernel implements Kernel {
  public static final VectorKernel INSTANCE = new VectorKernel();

  static final VectorSpecies<Byte> S = ByteVector.SPECIES_PREFERRED;
  static final int VLEN = S.length();
  /** Per coefficient: 16 bytes of low-nibble products, then 16 of high-nibble products. */
  static final int TABLE_BYTES = 32;
  private static final byte LOW_NIBBLE = 0x0F;
  /** Bytes per stripe: k input stripes (k &lt;= 10: &lt;= 80 KiB) stay in L2 across row passes. */
  private static final int STRIPE = 8192;

  private VectorKernel() {}

  @Override
  public String name() {
    return "vector";
  }

  /** Vector width in bits, for reports. */
  public static int bits() {
    return S.vectorBitSize();
  }

  @Override
  public MatrixOp prepare(int[][] coefficients) {
    return new Op(coefficients);
  }

  private static final class Op implements MatrixOp {
    private final int rows;
    private final int cols;
    private final int[][] coef;
    /**
     * Tables of all (row, column) coefficients, row-major, plus VLEN bytes of padding: a
     * species-wide load at a table's offset reads 16 useful lanes and never runs off the end.
     * Lanes beyond 15 are never selected because nibble indices are 0..15.
     */
    private final byte[] tables;

    Op(int[][] coefficients) {
      rows = coefficients.length;
      cols = rows == 0 ? 0 : coefficients[0].length;
      coef = new int[rows][];
      tables = new byte[rows * cols * TABLE_BYTES + VLEN];
      for (int r = 0; r < rows; r++) {
        coef[r] = coefficients[r].clone();
        for (int j = 0; j < cols; j++) {
          int c = coef[r][j] & 0xFF;
          int t = (r * cols + j) * TABLE_BYTES;
          for (int x = 0; x < 16; x++) {
            tables[t + x] = (byte) GaloisField.mul(c, x);
            tables[t + 16 + x] = (byte) GaloisField.mul(c, x << 4);
          }
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
      int whole = len - len % VLEN;
      for (int s = 0; s < whole; s += STRIPE) {
        int e = Math.min(whole, s + STRIPE);
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
          pass4(in, inOff, out, outOff, s, e, r);
        }
        switch (rows - r) {
          case 3:
            pass3(in, inOff, out, outOff, s, e, r);
            break;
          case 2:
            pass2(in, inOff, out, outOff, s, e, r);
            break;
          case 1:
            pass1(in, inOff, out, outOff, s, e, r);
            break;
          default:
            break;
        }
      }
      if (whole < len) {
        tail(in, inOff + whole, out, outOff + whole, len - whole);
      }
    }

    private void pass4(byte[][] in, int inOff, byte[][] out, int outOff, int from, int to, int r0) {
      byte[] o0 = out[r0 + 0];
      int t0 = (r0 + 0) * cols * TABLE_BYTES;
      byte[] o1 = out[r0 + 1];
      int t1 = (r0 + 1) * cols * TABLE_BYTES;
      byte[] o2 = out[r0 + 2];
      int t2 = (r0 + 2) * cols * TABLE_BYTES;
      byte[] o3 = out[r0 + 3];
      int t3 = (r0 + 3) * cols * TABLE_BYTES;
      for (int i = from; i < to; i += VLEN) {
        ByteVector a0 = ByteVector.zero(S);
        ByteVector a1 = ByteVector.zero(S);
        ByteVector a2 = ByteVector.zero(S);
        ByteVector a3 = ByteVector.zero(S);
        for (int j = 0; j < cols; j++) {
          ByteVector x = ByteVector.fromArray(S, in[j], inOff + i);
          ByteVector lo = x.and(LOW_NIBBLE);
          ByteVector hi = x.lanewise(VectorOperators.LSHR, 4);
          int tj = j * TABLE_BYTES;
          a0 = a0.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t0 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t0 + tj + 16)));
          a1 = a1.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t1 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t1 + tj + 16)));
          a2 = a2.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t2 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t2 + tj + 16)));
          a3 = a3.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t3 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t3 + tj + 16)));
        }
        a0.intoArray(o0, outOff + i);
        a1.intoArray(o1, outOff + i);
        a2.intoArray(o2, outOff + i);
        a3.intoArray(o3, outOff + i);
      }
    }

    private void pass3(byte[][] in, int inOff, byte[][] out, int outOff, int from, int to, int r0) {
      byte[] o0 = out[r0 + 0];
      int t0 = (r0 + 0) * cols * TABLE_BYTES;
      byte[] o1 = out[r0 + 1];
      int t1 = (r0 + 1) * cols * TABLE_BYTES;
      byte[] o2 = out[r0 + 2];
      int t2 = (r0 + 2) * cols * TABLE_BYTES;
      for (int i = from; i < to; i += VLEN) {
        ByteVector a0 = ByteVector.zero(S);
        ByteVector a1 = ByteVector.zero(S);
        ByteVector a2 = ByteVector.zero(S);
        for (int j = 0; j < cols; j++) {
          ByteVector x = ByteVector.fromArray(S, in[j], inOff + i);
          ByteVector lo = x.and(LOW_NIBBLE);
          ByteVector hi = x.lanewise(VectorOperators.LSHR, 4);
          int tj = j * TABLE_BYTES;
          a0 = a0.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t0 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t0 + tj + 16)));
          a1 = a1.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t1 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t1 + tj + 16)));
          a2 = a2.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t2 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t2 + tj + 16)));
        }
        a0.intoArray(o0, outOff + i);
        a1.intoArray(o1, outOff + i);
        a2.intoArray(o2, outOff + i);
      }
    }

    private void pass2(byte[][] in, int inOff, byte[][] out, int outOff, int from, int to, int r0) {
      byte[] o0 = out[r0 + 0];
      int t0 = (r0 + 0) * cols * TABLE_BYTES;
      byte[] o1 = out[r0 + 1];
      int t1 = (r0 + 1) * cols * TABLE_BYTES;
      for (int i = from; i < to; i += VLEN) {
        ByteVector a0 = ByteVector.zero(S);
        ByteVector a1 = ByteVector.zero(S);
        for (int j = 0; j < cols; j++) {
          ByteVector x = ByteVector.fromArray(S, in[j], inOff + i);
          ByteVector lo = x.and(LOW_NIBBLE);
          ByteVector hi = x.lanewise(VectorOperators.LSHR, 4);
          int tj = j * TABLE_BYTES;
          a0 = a0.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t0 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t0 + tj + 16)));
          a1 = a1.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t1 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t1 + tj + 16)));
        }
        a0.intoArray(o0, outOff + i);
        a1.intoArray(o1, outOff + i);
      }
    }

    private void pass1(byte[][] in, int inOff, byte[][] out, int outOff, int from, int to, int r0) {
      byte[] o0 = out[r0 + 0];
      int t0 = (r0 + 0) * cols * TABLE_BYTES;
      for (int i = from; i < to; i += VLEN) {
        ByteVector a0 = ByteVector.zero(S);
        for (int j = 0; j < cols; j++) {
          ByteVector x = ByteVector.fromArray(S, in[j], inOff + i);
          ByteVector lo = x.and(LOW_NIBBLE);
          ByteVector hi = x.lanewise(VectorOperators.LSHR, 4);
          int tj = j * TABLE_BYTES;
          a0 = a0.lanewise(VectorOperators.XOR, lo.selectFrom(ByteVector.fromArray(S, tables, t0 + tj)))
              .lanewise(VectorOperators.XOR, hi.selectFrom(ByteVector.fromArray(S, tables, t0 + tj + 16)));
        }
        a0.intoArray(o0, outOff + i);
      }
    }

    private void tail(byte[][] in, int ib, byte[][] out, int ob, int n) {
      for (int r = 0; r < rows; r++) {
        byte[] o = out[r];
        int[] c = coef[r];
        for (int i = 0; i < n; i++) {
          int v = 0;
          for (int j = 0; j < cols; j++) {
            v ^= GaloisField.mul(c[j], in[j][ib + i] & 0xFF);
          }
          o[ob + i] = (byte) v;
        }
      }
    }
  }
}
