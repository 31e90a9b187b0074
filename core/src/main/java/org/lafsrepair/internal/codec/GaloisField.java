package org.lafsrepair.internal.codec;

/**
 * GF(2^8) with zfec's polynomial x^8+x^4+x^3+x^2+1 (0x11D) and generator 2. Addition is XOR.
 * Tables are built once; all methods are pure.
 */
public final class GaloisField {
  /** zfec's primitive polynomial, including the x^8 term. */
  public static final int POLYNOMIAL = 0x11D;

  private static final int[] EXP = new int[510];
  private static final int[] LOG = new int[256];
  private static final byte[] MUL = new byte[256 * 256];
  private static final int[] INV = new int[256];

  static {
    int x = 1;
    for (int i = 0; i < 255; i++) {
      EXP[i] = x;
      EXP[i + 255] = x;
      LOG[x] = i;
      x <<= 1;
      if ((x & 0x100) != 0) {
        x ^= POLYNOMIAL;
      }
    }
    for (int a = 0; a < 256; a++) {
      for (int b = 0; b < 256; b++) {
        MUL[(a << 8) | b] = (byte) slowMul(a, b);
      }
    }
    for (int a = 1; a < 256; a++) {
      INV[a] = EXP[255 - LOG[a]];
    }
  }

  private GaloisField() {}

  private static int slowMul(int a, int b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return EXP[LOG[a] + LOG[b]];
  }

  /** a·b for a, b in 0..255. */
  public static int mul(int a, int b) {
    return MUL[(a << 8) | b] & 0xFF;
  }

  /** The multiplicative inverse of a (a != 0). */
  public static int inv(int a) {
    if (a == 0) {
      throw new ArithmeticException("0 has no inverse in GF(2^8)");
    }
    return INV[a];
  }

  /** 2^e for any e >= 0 (exponents taken mod 255, as zfec's modnn does). */
  public static int exp(int e) {
    return EXP[e % 255];
  }

  /**
   * The full 64 KiB product table: {@code MUL[(a << 8) | b] = a·b}. Shared and read-only by
   * convention; package-private so only the kernels can reach it.
   */
  static byte[] mulTable() {
    return MUL;
  }
}
