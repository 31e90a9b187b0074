package org.lafsrepair.spi;

import com.google.common.io.BaseEncoding;

/**
 * Tahoe's base32: RFC 4648 alphabet, lowercase, padding stripped, unused low bits of the last
 * character required to be zero. Public so every module parses identifiers the same strict way.
 */
public final class Base32 {
  private static final BaseEncoding ENCODING = BaseEncoding.base32().lowerCase().omitPadding();
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

  private Base32() {}

  /** Encodes {@code bytes} as lowercase unpadded base32. */
  public static String encode(byte[] bytes) {
    return ENCODING.encode(bytes);
  }

  /** Number of base32 characters that encode {@code n} bytes. */
  public static int encodedLength(int n) {
    return (n * 8 + 4) / 5;
  }

  /**
   * Decodes any-length Tahoe base32 strictly.
   *
   * @throws IllegalArgumentException naming the problem (bad character, impossible length,
   *     non-zero pad bits)
   */
  public static byte[] decode(String s) {
    if (s == null) {
      throw new IllegalArgumentException("base32 string is null");
    }
    for (int i = 0; i < s.length(); i++) {
      if (ALPHABET.indexOf(s.charAt(i)) < 0) {
        throw new IllegalArgumentException(
            "invalid base32 character '" + printable(s.charAt(i)) + "' at position " + i);
      }
    }
    int rem = s.length() % 8;
    if (rem == 1 || rem == 3 || rem == 6) {
      throw new IllegalArgumentException("invalid base32 length " + s.length());
    }
    int bits = s.length() * 5;
    int padBits = bits % 8;
    if (padBits != 0) {
      int last = ALPHABET.indexOf(s.charAt(s.length() - 1));
      if ((last & ((1 << padBits) - 1)) != 0) {
        throw new IllegalArgumentException("base32 string has non-zero pad bits");
      }
    }
    return ENCODING.decode(s);
  }

  /** Decodes and requires exactly {@code expectedBytes} bytes; {@code what} names the field. */
  public static byte[] decodeExact(String s, int expectedBytes, String what) {
    if (s == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    int chars = encodedLength(expectedBytes);
    if (s.length() != chars) {
      throw new IllegalArgumentException(
          what + " must be " + chars + " base32 characters, got " + s.length());
    }
    try {
      return decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
  }
}
