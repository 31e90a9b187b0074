package org.lafsrepair.spi;

/** A share number, 0..255 (zfec allows at most 256 shares). */
public record ShareNumber(int value) implements Comparable<ShareNumber> {
  /** Highest share number (inclusive). */
  public static final int MAX = 255;

  private static final ShareNumber[] CACHE = new ShareNumber[MAX + 1];

  static {
    for (int i = 0; i <= MAX; i++) {
      CACHE[i] = new ShareNumber(i);
    }
  }

  public ShareNumber {
    if (value < 0 || value > MAX) {
      throw new IllegalArgumentException("share number must be 0.." + MAX + ", got " + value);
    }
  }

  /** The cached instance for {@code value}. */
  public static ShareNumber of(int value) {
    if (value < 0 || value > MAX) {
      throw new IllegalArgumentException("share number must be 0.." + MAX + ", got " + value);
    }
    return CACHE[value];
  }

  @Override
  public int compareTo(ShareNumber o) {
    return Integer.compare(value, o.value);
  }

  @Override
  public String toString() {
    return "sh" + value;
  }
}
