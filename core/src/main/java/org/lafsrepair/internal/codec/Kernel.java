package org.lafsrepair.internal.codec;

/**
 * A way of computing {@code out[r][i] = Σ_j M[r][j]·in[j][i]} over GF(2^8). Implementations are
 * stateless and thread-safe; {@link #prepare} does the per-matrix work (tables) once so that
 * {@link MatrixOp#apply} can be called for every segment of a file.
 */
public interface Kernel {
  /** Short name used by the {@code lafsrepair.codec.kernel} property and benchmarks. */
  String name();

  /**
   * Prepares a coefficient matrix with {@code coefficients.length} rows, each with one entry per
   * input block (values 0..255).
   */
  MatrixOp prepare(int[][] coefficients);

  /** A prepared matrix; immutable and thread-safe. */
  interface MatrixOp {
    int rows();

    int columns();

    /**
     * Writes the {@link #rows()} outputs {@code out[r][outOff .. outOff+len)} from the
     * {@link #columns()} inputs {@code in[j][inOff .. inOff+len)}. Outputs are overwritten, never
     * read, and must not alias inputs. Bounds are checked by the caller.
     */
    void apply(byte[][] in, int inOff, byte[][] out, int outOff, int len);
  }
}
