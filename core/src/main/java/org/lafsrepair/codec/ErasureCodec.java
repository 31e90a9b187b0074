package org.lafsrepair.codec;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.LoadingCache;
import com.google.common.cache.CacheLoader;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import org.lafsrepair.internal.codec.Kernel;
import org.lafsrepair.internal.codec.Kernels;
import org.lafsrepair.internal.codec.Matrices;

/**
 * zfec-compatible systematic Reed-Solomon erasure code over GF(2^8) (polynomial 0x11D), as used by
 * Tahoe-LAFS ({@code codec_name: crs}). Blocks produced here are byte-identical to zfec's, so
 * rebuilt shares fit the hash trees Tahoe committed to.
 *
 * <p>Share numbers 0..k-1 are the primary blocks (the input itself); k..n-1 are check blocks.
 * Any k distinct blocks determine all n.
 *
 * <p>Instances are immutable, thread-safe and cached per (k, n, kernel). The matrices needed for
 * a given pattern of available and wanted share numbers are computed once and kept in a bounded
 * cache shared by all codecs, so decoding every segment of a file with the same survivors costs
 * one matrix inversion.
 *
 * <p>Every method validates its arguments before writing anything and throws {@link
 * CodecException} on: a wrong number of blocks, unequal or too short blocks, duplicate or
 * out-of-range share numbers, output buffers that are too small or alias an input.
 */
public final class ErasureCodec {
  /** Largest n zfec supports. */
  public static final int MAX_SHARES = 256;

  private static final LoadingCache<CodecKey, ErasureCodec> CODECS =
      CacheBuilder.newBuilder()
          .maximumSize(128)
          .build(CacheLoader.from(key -> new ErasureCodec(key.k, key.n, key.kernel)));

  /**
   * Prepared matrices, weighed by coefficient count. 1<<19 coefficients is ~16 MiB of vector
   * tables at most, and holds e.g. 33 full encode plans of the widest code (101-of-256).
   */
  private static final Cache<PlanKey, Plan> PLANS =
      CacheBuilder.newBuilder()
          .maximumWeight(1 << 19)
          .weigher((PlanKey key, Plan plan) -> plan.weight())
          .build();

  private final int k;
  private final int n;
  private final Kernel kernel;
  private final int[][] encodingMatrix;
  private final int[] identityPattern;

  private ErasureCodec(int k, int n, Kernel kernel) {
    this.k = k;
    this.n = n;
    this.kernel = kernel;
    this.encodingMatrix = Matrices.zfecEncodingMatrix(k, n);
    this.identityPattern = new int[k];
    for (int i = 0; i < k; i++) {
      identityPattern[i] = i;
    }
  }

  /**
   * The codec for k-of-n with the default kernel ({@link CodecKernel#AUTO}).
   *
   * @throws CodecException unless 1 <= k <= n <= 256
   */
  public static ErasureCodec of(int k, int n) {
    return of(k, n, CodecKernel.AUTO);
  }

  /**
   * The codec for k-of-n computing with the given kernel. All kernels give identical bytes.
   *
   * @throws CodecException unless 1 <= k <= n <= 256
   * @throws UnsupportedOperationException if {@link CodecKernel#VECTOR} is not available
   */
  public static ErasureCodec of(int k, int n, CodecKernel kernel) {
    if (k < 1 || k > n || n > MAX_SHARES) {
      throw new CodecException("need 1 <= k <= n <= 256, got k=" + k + " n=" + n);
    }
    Kernel resolved = Kernels.get(kernel);
    try {
      return CODECS.get(new CodecKey(k, n, resolved));
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  public int k() {
    return k;
  }

  public int n() {
    return n;
  }

  /** Name of the kernel in use ({@code scalar}, {@code swar} or {@code vector}). */
  public String kernelName() {
    return kernel.name();
  }

  /**
   * Encodes k primary blocks of equal length into the blocks with the requested share numbers.
   * Primary share numbers give copies of the input; returned arrays are fresh.
   *
   * @param primary exactly k blocks of equal length (not modified)
   * @param shnums share numbers in 0..n-1, in the order the outputs are wanted
   */
  public byte[][] encode(byte[][] primary, int... shnums) {
    int len = checkBlocks(primary, "primary");
    byte[][] out = allocate(shnums.length, len);
    encodeInto(primary, 0, len, shnums, out, 0);
    return out;
  }

  /**
   * Encodes {@code primary[j][inOffset .. inOffset+length)} (j = 0..k-1) into {@code
   * out[i][outOffset .. outOffset+length)} for share number {@code shnums[i]}. Allocates no
   * block-sized memory once the plan for {@code shnums} is cached.
   */
  public void encodeInto(
      byte[][] primary, int inOffset, int length, int[] shnums, byte[][] out, int outOffset) {
    code(identityPattern, primary, inOffset, length, shnums, out, outOffset, "primary");
  }

  /**
   * Decodes exactly k blocks of equal length with distinct share numbers into the blocks for the
   * {@code wanted} share numbers (primary or check), directly, without computing the others.
   *
   * @param shnums the share number of each block, distinct, in 0..n-1
   * @param blocks exactly k blocks of equal length (not modified)
   * @param wanted share numbers in 0..n-1; returned arrays are fresh
   */
  public byte[][] decode(int[] shnums, byte[][] blocks, int... wanted) {
    int len = checkBlocks(blocks, "blocks");
    byte[][] out = allocate(wanted.length, len);
    decodeInto(shnums, blocks, 0, len, wanted, out, 0);
    return out;
  }

  /**
   * Decodes {@code blocks[j][inOffset .. inOffset+length)} (share number {@code shnums[j]}) into
   * {@code out[i][outOffset .. outOffset+length)} for share number {@code wanted[i]}. Allocates no
   * block-sized memory once the plan for this (shnums, wanted) pattern is cached.
   */
  public void decodeInto(
      int[] shnums,
      byte[][] blocks,
      int inOffset,
      int length,
      int[] wanted,
      byte[][] out,
      int outOffset) {
    if (shnums == null || blocks == null) {
      throw new CodecException("shnums and blocks must not be null");
    }
    if (shnums.length != k || blocks.length != k) {
      throw new CodecException(
          "need exactly k=" + k + " blocks with share numbers, got "
              + blocks.length + " blocks and " + shnums.length + " share numbers");
    }
    boolean[] seen = new boolean[MAX_SHARES];
    boolean sorted = true;
    for (int i = 0; i < k; i++) {
      int s = shnums[i];
      if (s < 0 || s >= n) {
        throw new CodecException("share number " + s + " out of range 0.." + (n - 1));
      }
      if (seen[s]) {
        throw new CodecException("duplicate share number " + s);
      }
      seen[s] = true;
      if (i > 0 && shnums[i - 1] > s) {
        sorted = false;
      }
    }
    if (sorted) {
      code(shnums, blocks, inOffset, length, wanted, out, outOffset, "blocks");
      return;
    }
    // Plans are keyed by the sorted pattern so any arrival order shares one inversion.
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(shnums[a], shnums[b]));
    int[] s2 = new int[k];
    byte[][] b2 = new byte[k][];
    for (int i = 0; i < k; i++) {
      s2[i] = shnums[order[i]];
      b2[i] = blocks[order[i]];
    }
    code(s2, b2, inOffset, length, wanted, out, outOffset, "blocks");
  }

  private void code(
      int[] have,
      byte[][] in,
      int inOffset,
      int length,
      int[] wanted,
      byte[][] out,
      int outOffset,
      String what) {
    if (in == null || wanted == null || out == null) {
      throw new CodecException("arguments must not be null");
    }
    if (in.length != k) {
      throw new CodecException("need exactly k=" + k + " " + what + " blocks, got " + in.length);
    }
    if (length < 0 || inOffset < 0 || outOffset < 0) {
      throw new CodecException("negative offset or length");
    }
    for (int j = 0; j < k; j++) {
      if (in[j] == null) {
        throw new CodecException(what + " block " + j + " is null");
      }
      if ((long) inOffset + length > in[j].length) {
        throw new CodecException(
            what + " block " + j + " has " + in[j].length + " bytes, need "
                + ((long) inOffset + length));
      }
    }
    if (out.length != wanted.length) {
      throw new CodecException(
          wanted.length + " share numbers wanted but " + out.length + " output buffers given");
    }
    for (int i = 0; i < wanted.length; i++) {
      int w = wanted[i];
      if (w < 0 || w >= n) {
        throw new CodecException("wanted share number " + w + " out of range 0.." + (n - 1));
      }
      byte[] o = out[i];
      if (o == null) {
        throw new CodecException("output buffer " + i + " is null");
      }
      if ((long) outOffset + length > o.length) {
        throw new CodecException(
            "output buffer " + i + " has " + o.length + " bytes, need "
                + ((long) outOffset + length));
      }
      for (int j = 0; j < k; j++) {
        if (o == in[j]) {
          throw new CodecException("output buffer " + i + " is also input block " + j);
        }
      }
    }
    Plan plan = plan(have, wanted);
    for (int i = 0; i < wanted.length; i++) {
      int src = plan.copyFrom[i];
      if (src >= 0) {
        System.arraycopy(in[src], inOffset, out[i], outOffset, length);
      }
    }
    if (plan.op != null && length > 0) {
      byte[][] computed = out;
      if (plan.computedOut.length != wanted.length) {
        computed = new byte[plan.computedOut.length][];
        for (int r = 0; r < computed.length; r++) {
          computed[r] = out[plan.computedOut[r]];
        }
      }
      plan.op.apply(in, inOffset, computed, outOffset, length);
    }
  }

  private Plan plan(int[] have, int[] wanted) {
    PlanKey key = new PlanKey(this, have, wanted);
    Plan p = PLANS.getIfPresent(key);
    if (p == null) {
      p = buildPlan(have.clone(), wanted.clone());
      PLANS.put(new PlanKey(this, p.have, p.wanted), p);
    }
    return p;
  }

  private Plan buildPlan(int[] have, int[] wanted) {
    int[] position = new int[MAX_SHARES];
    Arrays.fill(position, -1);
    for (int j = 0; j < k; j++) {
      position[have[j]] = j;
    }
    int[] copyFrom = new int[wanted.length];
    int computedCount = 0;
    for (int i = 0; i < wanted.length; i++) {
      copyFrom[i] = position[wanted[i]];
      if (copyFrom[i] < 0) {
        computedCount++;
      }
    }
    int[] computedOut = new int[computedCount];
    int[][] rows = new int[computedCount][];
    int[][] inverse = null;
    if (!Arrays.equals(have, identityPattern)) {
      int[][] d = new int[k][];
      for (int j = 0; j < k; j++) {
        d[j] = encodingMatrix[have[j]];
      }
      inverse = Matrices.invert(d);
    }
    int r = 0;
    for (int i = 0; i < wanted.length; i++) {
      if (copyFrom[i] >= 0) {
        continue;
      }
      int[] e = encodingMatrix[wanted[i]];
      rows[r] = inverse == null ? e.clone() : Matrices.multiplyRow(e, inverse);
      computedOut[r] = i;
      r++;
    }
    Kernel.MatrixOp op = computedCount == 0 ? null : kernel.prepare(rows);
    return new Plan(have, wanted, copyFrom, computedOut, op, computedCount * k + 1);
  }

  private int checkBlocks(byte[][] blocks, String what) {
    if (blocks == null) {
      throw new CodecException(what + " must not be null");
    }
    if (blocks.length != k) {
      throw new CodecException("need exactly k=" + k + " " + what + " blocks, got " + blocks.length);
    }
    int len = -1;
    for (int j = 0; j < blocks.length; j++) {
      if (blocks[j] == null) {
        throw new CodecException(what + " block " + j + " is null");
      }
      if (len < 0) {
        len = blocks[j].length;
      } else if (blocks[j].length != len) {
        throw new CodecException(
            what + " blocks differ in length: " + len + " and " + blocks[j].length);
      }
    }
    return len;
  }

  private static byte[][] allocate(int count, int len) {
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      out[i] = new byte[len];
    }
    return out;
  }

  @Override
  public String toString() {
    return "ErasureCodec[" + k + "-of-" + n + ", " + kernel.name() + "]";
  }

  private static final class CodecKey {
    final int k;
    final int n;
    final Kernel kernel;

    CodecKey(int k, int n, Kernel kernel) {
      this.k = k;
      this.n = n;
      this.kernel = kernel;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CodecKey
          && ((CodecKey) o).k == k
          && ((CodecKey) o).n == n
          && ((CodecKey) o).kernel == kernel;
    }

    @Override
    public int hashCode() {
      return (k * 257 + n) * 31 + System.identityHashCode(kernel);
    }
  }

  private static final class PlanKey {
    final ErasureCodec codec;
    final int[] have;
    final int[] wanted;
    final int hash;

    PlanKey(ErasureCodec codec, int[] have, int[] wanted) {
      this.codec = codec;
      this.have = have;
      this.wanted = wanted;
      this.hash =
          (System.identityHashCode(codec) * 31 + Arrays.hashCode(have)) * 31
              + Arrays.hashCode(wanted);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof PlanKey)) {
        return false;
      }
      PlanKey p = (PlanKey) o;
      return p.codec == codec && Arrays.equals(p.have, have) && Arrays.equals(p.wanted, wanted);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private static final class Plan {
    final int[] have;
    final int[] wanted;
    /** Per wanted output, the input index to copy from, or -1 if computed. */
    final int[] copyFrom;
    /** Per row of {@link #op}, the wanted output it writes. */
    final int[] computedOut;
    final Kernel.MatrixOp op;
    final int weight;

    Plan(int[] have, int[] wanted, int[] copyFrom, int[] computedOut, Kernel.MatrixOp op, int w) {
      this.have = have;
      this.wanted = wanted;
      this.copyFrom = copyFrom;
      this.computedOut = computedOut;
      this.op = op;
      this.weight = w;
    }

    int weight() {
      return weight;
    }
  }
}
