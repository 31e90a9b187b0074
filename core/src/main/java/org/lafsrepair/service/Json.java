package org.lafsrepair.service;

/**
 * Writes JSON string literals. Core writes only tiny, flat reports, so this replaces a JSON
 * library dependency; the tests parse every report with Jackson to hold it to the standard.
 */
final class Json {
  private Json() {}

  /** {@code s} as a quoted JSON string literal, or {@code null}. */
  static String string(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          // Control characters, and lone surrogates and U+2028/9 that some parsers choke on.
          if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
              && !validSurrogatePair(s, i)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static boolean validSurrogatePair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
