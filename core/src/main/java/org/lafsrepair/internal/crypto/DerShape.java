package org.lafsrepair.internal.crypto;

/**
 * A bounded, non-recursive-in-practice pre-check of DER bytes before a general ASN.1 parser sees
 * them: one definite-length TLV covering the whole input, every nested length inside its parent,
 * nesting no deeper than a limit. General parsers recurse per nesting level, so hostile input
 * could otherwise overflow the stack.
 */
final class DerShape {
  private DerShape() {}

  /** Checks {@code der}; {@code what} names it in the message. */
  static void check(byte[] der, int maxDepth, String what) throws KeyFormatException {
    int end = element(der, 0, der.length, 1, maxDepth, what);
    if (end != der.length) {
      throw new KeyFormatException(what + ": " + (der.length - end) + " bytes after the DER object");
    }
  }

  /** Validates the element at {@code pos}, returning the offset after it. */
  private static int element(byte[] b, int pos, int limit, int depth, int maxDepth, String what)
      throws KeyFormatException {
    if (depth > maxDepth) {
      throw new KeyFormatException(what + ": DER nested deeper than " + maxDepth);
    }
    if (pos + 2 > limit) {
      throw new KeyFormatException(what + ": truncated DER at byte " + pos);
    }
    int tag = b[pos] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      throw new KeyFormatException(what + ": unsupported high-tag-number form at byte " + pos);
    }
    int first = b[pos + 1] & 0xff;
    int p = pos + 2;
    long len;
    if (first < 0x80) {
      len = first;
    } else if (first == 0x80) {
      throw new KeyFormatException(what + ": indefinite length is not DER (byte " + pos + ")");
    } else {
      int n = first & 0x7f;
      if (n > 4 || p + n > limit) {
        throw new KeyFormatException(what + ": bad length field at byte " + pos);
      }
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (b[p + i] & 0xff);
      }
      p += n;
    }
    if (len > limit - p) {
      throw new KeyFormatException(
          what + ": DER length " + len + " at byte " + pos + " runs past its container");
    }
    int contentEnd = p + (int) len;
    if ((tag & 0x20) != 0) {
      int q = p;
      while (q < contentEnd) {
        q = element(b, q, contentEnd, depth + 1, maxDepth, what);
      }
    }
    return contentEnd;
  }
}
