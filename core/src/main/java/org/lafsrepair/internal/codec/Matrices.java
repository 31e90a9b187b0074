package org.lafsrepair.internal.codec;

/** Small dense matrix algebra over {@link GaloisField}; matrices are {@code int[rows][cols]}. */
public final class Matrices {
  private Matrices() {}

  /**
   * zfec's systematic encoding matrix E (n×k): E = V·T⁻¹ where V is the n×k Vandermonde-like
   * matrix with row 0 = [1,0,…,0] (the point 0) and row r ≥ 1 = [2^((r−1)·c mod 255)], and T its
   * top k×k block. The inverse is unique, so any exact inversion reproduces zfec's bytes.
   */
  public static int[][] zfecEncodingMatrix(int k, int n) {
    int[][] v = new int[n][k];
    v[0][0] = 1;
    for (int r = 1; r < n; r++) {
      for (int c = 0; c < k; c++) {
        v[r][c] = GaloisField.exp(((r - 1) * c) % 255);
      }
    }
    int[][] top = new int[k][];
    for (int r = 0; r < k; r++) {
      top[r] = v[r].clone();
    }
    int[][] topInv = invert(top);
    int[][] e = new int[n][];
    for (int r = 0; r < k; r++) {
      e[r] = new int[k];
      e[r][r] = 1;
    }
    for (int r = k; r < n; r++) {
      e[r] = multiplyRow(v[r], topInv);
    }
    return e;
  }

  /** row (1×k) times m (k×c). */
  public static int[] multiplyRow(int[] row, int[][] m) {
    int cols = m[0].length;
    int[] out = new int[cols];
    for (int i = 0; i < row.length; i++) {
      int a = row[i];
      if (a == 0) {
        continue;
      }
      int[] mi = m[i];
      for (int c = 0; c < cols; c++) {
        out[c] ^= GaloisField.mul(a, mi[c]);
      }
    }
    return out;
  }

  /**
   * The inverse of a square matrix by Gauss-Jordan elimination. The argument is not modified.
   *
   * @throws IllegalStateException if the matrix is singular (a bug: any k distinct rows of
   *     zfec's encoding matrix are independent)
   */
  public static int[][] invert(int[][] matrix) {
    int k = matrix.length;
    int[][] a = new int[k][];
    int[][] inv = new int[k][];
    for (int r = 0; r < k; r++) {
      if (matrix[r].length != k) {
        throw new IllegalArgumentException("matrix is not square");
      }
      a[r] = matrix[r].clone();
      inv[r] = new int[k];
      inv[r][r] = 1;
    }
    for (int col = 0; col < k; col++) {
      int pivot = col;
      while (pivot < k && a[pivot][col] == 0) {
        pivot++;
      }
      if (pivot == k) {
        throw new IllegalStateException("singular matrix");
      }
      if (pivot != col) {
        int[] t = a[pivot];
        a[pivot] = a[col];
        a[col] = t;
        t = inv[pivot];
        inv[pivot] = inv[col];
        inv[col] = t;
      }
      int[] prow = a[col];
      int[] pinv = inv[col];
      int scale = GaloisField.inv(prow[col]);
      if (scale != 1) {
        for (int c = 0; c < k; c++) {
          prow[c] = GaloisField.mul(prow[c], scale);
          pinv[c] = GaloisField.mul(pinv[c], scale);
        }
      }
      for (int r = 0; r < k; r++) {
        if (r == col) {
          continue;
        }
        int f = a[r][col];
        if (f == 0) {
          continue;
        }
        int[] ar = a[r];
        int[] ir = inv[r];
        for (int c = 0; c < k; c++) {
          ar[c] ^= GaloisField.mul(f, prow[c]);
          ir[c] ^= GaloisField.mul(f, pinv[c]);
        }
      }
    }
    return inv;
  }
}
