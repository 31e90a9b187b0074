package org.lafsrepair.cap;

import java.util.Objects;

/** Validation shared by the cap records' constructors (programming errors: IllegalArgumentException). */
final class Fields {
  static final int KEY_LENGTH = 16;
  static final int HASH_LENGTH = 32;
  static final int MAX_SHARES = 256;

  private Fields() {}

  static ImmutableBytes requireLength(ImmutableBytes b, int length, String what) {
    Objects.requireNonNull(b, what);
    if (b.length() != length) {
      throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + b.length());
    }
    return b;
  }

  static void requireEncoding(int k, int n, long size) {
    if (k < 1 || k > MAX_SHARES) {
      throw new IllegalArgumentException("k must be between 1 and 256, got " + k);
    }
    if (n < k || n > MAX_SHARES) {
      throw new IllegalArgumentException("N must be between k=" + k + " and 256, got " + n);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
  }

  /**
   * Extension text Tahoe accepts and ignores after some caps (MDMF hints, text after a
   * CHK-Verifier's size). We keep it only so that formatting reproduces the parsed string.
   */
  static String requireExtension(String extension) {
    Objects.requireNonNull(extension, "extension");
    for (int i = 0; i < extension.length(); i++) {
      char c = extension.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            String.format("cap extension has invalid character U+%04X", (int) c));
      }
    }
    return extension;
  }

  /** Tahoe's MDMF caps may continue with ":..."; SDMF caps must end after the fingerprint. */
  static String requireMutableExtension(MutableFormat format, String extension) {
    requireExtension(extension);
    if (!extension.isEmpty()) {
      if (format != MutableFormat.MDMF) {
        throw new IllegalArgumentException("SDMF caps must end after the fingerprint");
      }
      if (extension.charAt(0) != ':') {
        throw new IllegalArgumentException("MDMF cap extension must start with ':'");
      }
    }
    return extension;
  }
}
