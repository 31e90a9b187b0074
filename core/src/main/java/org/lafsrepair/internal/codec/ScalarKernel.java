package org.lafsrepair.internal.codec;

/**
 * The reference kernel: one 64 KiB product-table lookup per coefficient and byte. Always
 * available, and the oracle the fast kernels are tested against.
 */
public final class ScalarKernel implements Kernel {
  public static final ScalarKernel INSTANCE = new ScalarKernel();

  /** Bytes per stripe: k input stripes stay in cache while every output row is computed. */
  private static final int STRIPE = 4096;

  private ScalarKernel() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public MatrixOp prepare(int[][] coefficients) {
    return new Op(coefficients);
  }

  private static final class Op implements MatrixOp {
    private final int rows;
    private final int cols;
    /** Per row and column, the offset of that coefficient's 256-byte slice of the product table. */
    private final int[][] tableOffsets;

    Op(int[][] coefficients) {
      this.rows = coefficients.length;
      this.cols = rows == 0 ? 0 : coefficients[0].length;
      this.tableOffsets = new int[rows][cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          tableOffsets[r][c] = (coefficients[r][c] & 0xFF) << 8;
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
      byte[] mul = GaloisField.mulTable();
      for (int s = 0; s < len; s += STRIPE) {
        int n = Math.min(STRIPE, len - s);
        for (int r = 0; r < rows; r++) {
          byte[] o = out[r];
          int[] offs = tableOffsets[r];
          int ob = outOff + s;
          int t = offs[0];
          byte[] x = in[0];
          int ib = inOff + s;
          for (int i = 0; i < n; i++) {
            o[ob + i] = mul[t | (x[ib + i] & 0xFF)];
          }
          for (int j = 1; j < cols; j++) {
            t = offs[j];
            if (t == 0) {
              continue;
            }
            x = in[j];
            for (int i = 0; i < n; i++) {
              o[ob + i] ^= mul[t | (x[ib + i] & 0xFF)];
            }
          }
        }
      }
    }
  }
}
