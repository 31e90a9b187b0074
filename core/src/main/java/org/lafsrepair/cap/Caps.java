package org.lafsrepair.cap;

import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.StorageIndex;

/**
 * Parses Tahoe-LAFS cap strings (tahoe-formats.md §2, Tahoe's {@code uri.py}) strictly: base32
 * fields must have the exact length and zero pad bits, numbers must be canonical decimals, and
 * every accepted string formats back to itself. Stateless and thread-safe.
 */
public final class Caps {
  /** No real cap comes near this; it bounds the work spent on hostile input. */
  public static final int MAX_LENGTH = 64 * 1024;

  private static final String READONLY_PREFIX = "ro.";
  private static final String IMMUTABLE_PREFIX = "imm.";

  private Caps() {}

  /**
   * Parses any cap. A leading {@code ro.} or {@code imm.} (how directories mark a child cap as
   * read-only or immutable) is checked against the cap and then dropped, as Tahoe does; a cap that
   * violates its mark is rejected.
   *
   * @throws CapFormatException saying what is wrong
   */
  public static Cap parse(String s) throws CapFormatException {
    if (s == null) {
      throw new CapFormatException("cap is missing");
    }
    if (s.length() > MAX_LENGTH) {
      throw new CapFormatException("cap is " + s.length() + " characters, more than "
          + MAX_LENGTH);
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new CapFormatException(String.format(
            "invalid character U+%04X at position %d (caps are printable ASCII without spaces)",
            (int) c, i));
      }
    }
    boolean mustBeReadOnly = false;
    boolean mustBeImmutable = false;
    String u = s;
    if (u.startsWith(IMMUTABLE_PREFIX)) {
      mustBeImmutable = true;
      mustBeReadOnly = true;
      u = u.substring(IMMUTABLE_PREFIX.length());
    } else if (u.startsWith(READONLY_PREFIX)) {
      mustBeReadOnly = true;
      u = u.substring(READONLY_PREFIX.length());
    }
    Cap cap = parseUnmarked(u);
    if (mustBeImmutable && cap.isMutable() && !(cap instanceof VerifyCap)) {
      throw new CapFormatException(
          prefixOf(u) + " cap is mutable but marked immutable ('imm.')");
    }
    if (mustBeReadOnly && cap.isWritable()) {
      throw new CapFormatException(
          prefixOf(u) + " cap is writable but marked " + (mustBeImmutable ? "immutable ('imm.')"
              : "read-only ('ro.')"));
    }
    return cap;
  }

  /**
   * Parses a cap and diminishes it to its verify cap (what repair and verification need).
   *
   * @throws CapFormatException if the string is not a cap, or is a literal cap (nothing to verify)
   */
  public static VerifyCap parseVerifyCap(String s) throws CapFormatException {
    Cap cap = parse(s);
    return cap.verifyCap().orElseThrow(() -> new CapFormatException(
        cap.kind() + " cap has no verify cap: the data lives in the cap, nothing is stored"));
  }

  private static Cap parseUnmarked(String u) throws CapFormatException {
    if (!u.startsWith("URI:")) {
      if (u.length() == Base32.encodedLength(StorageIndex.LENGTH) && isBase32(u)) {
        throw new CapFormatException(
            "not a Tahoe cap: this looks like a bare storage index; caps start with 'URI:'");
      }
      throw new CapFormatException("not a Tahoe cap: it must start with 'URI:'");
    }
    int colon = u.indexOf(':', 4);
    if (colon < 0) {
      throw new CapFormatException("not a Tahoe cap: no ':' after the kind");
    }
    String name = u.substring(4, colon);
    String body = u.substring(colon + 1);
    try {
      switch (name) {
        case "CHK":
          return parseChkRead(body);
        case "CHK-Verifier":
          return parseChkVerify(body);
        case "LIT":
          return parseLiteral(body);
        case "SSK":
          return parseWrite(MutableFormat.SDMF, body);
        case "SSK-RO":
          return parseRead(MutableFormat.SDMF, body);
        case "SSK-Verifier":
          return parseVerify(MutableFormat.SDMF, body);
        case "MDMF":
          return parseWrite(MutableFormat.MDMF, body);
        case "MDMF-RO":
          return parseRead(MutableFormat.MDMF, body);
        case "MDMF-Verifier":
          return parseVerify(MutableFormat.MDMF, body);
        case "DIR2":
          return new DirectoryCap(parseWrite(MutableFormat.SDMF, body));
        case "DIR2-RO":
          return new DirectoryCap(parseRead(MutableFormat.SDMF, body));
        case "DIR2-Verifier":
          return new DirectoryVerifyCap(parseVerify(MutableFormat.SDMF, body));
        case "DIR2-MDMF":
          return new DirectoryCap(parseWrite(MutableFormat.MDMF, body));
        case "DIR2-MDMF-RO":
          return new DirectoryCap(parseRead(MutableFormat.MDMF, body));
        case "DIR2-MDMF-Verifier":
          return new DirectoryVerifyCap(parseVerify(MutableFormat.MDMF, body));
        case "DIR2-CHK":
          return new DirectoryCap(parseChkRead(body));
        case "DIR2-CHK-Verifier":
          return new DirectoryVerifyCap(parseChkVerify(body));
        case "DIR2-LIT":
          return new DirectoryCap(parseLiteral(body));
        default:
          throw new CapFormatException("unknown cap kind 'URI:" + printable(name) + ":'");
      }
    } catch (BadField e) {
      throw new CapFormatException("URI:" + name + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      // A record constructor's own check; the parser's checks should have caught it first.
      throw new CapFormatException("URI:" + name + ": " + e.getMessage(), e);
    }
  }

  private static ChkReadCap parseChkRead(String body) throws BadField {
    String[] f = body.split(":", -1);
    if (f.length != 5) {
      throw new BadField("expected 5 fields (key:UEB-hash:k:N:size), got " + f.length);
    }
    ImmutableBytes key = base32(f[0], Fields.KEY_LENGTH, "key");
    ImmutableBytes ueb = base32(f[1], Fields.HASH_LENGTH, "UEB hash");
    int k = shareCount(f[2], "k");
    int n = shareCount(f[3], "N");
    long size = size(f[4]);
    checkKn(k, n);
    return new ChkReadCap(key, ueb, k, n, size);
  }

  /** No end anchor in Tahoe: the size is the leading digits of the fifth field. */
  private static ChkVerifyCap parseChkVerify(String body) throws BadField {
    String[] f = body.split(":", 5);
    if (f.length != 5) {
      throw new BadField("expected 5 fields (SI:UEB-hash:k:N:size), got " + f.length);
    }
    StorageIndex si = StorageIndex.of(base32(f[0], StorageIndex.LENGTH, "storage index")
        .toByteArray());
    ImmutableBytes ueb = base32(f[1], Fields.HASH_LENGTH, "UEB hash");
    int k = shareCount(f[2], "k");
    int n = shareCount(f[3], "N");
    String last = f[4];
    int digits = 0;
    while (digits < last.length() && isDigit(last.charAt(digits))) {
      digits++;
    }
    long size = size(last.substring(0, digits));
    checkKn(k, n);
    return new ChkVerifyCap(si, ueb, k, n, size, last.substring(digits));
  }

  private static LiteralCap parseLiteral(String body) throws BadField {
    try {
      return new LiteralCap(ImmutableBytes.wrap(Base32.decode(body)));
    } catch (IllegalArgumentException e) {
      throw new BadField("data: " + e.getMessage());
    }
  }

  private static MutableWriteCap parseWrite(MutableFormat format, String body) throws BadField {
    String[] f = mutableFields(format, body, "writekey");
    return new MutableWriteCap(format, base32(f[0], Fields.KEY_LENGTH, "writekey"),
        base32(f[1], Fields.HASH_LENGTH, "fingerprint"), f[2]);
  }

  private static MutableReadCap parseRead(MutableFormat format, String body) throws BadField {
    String[] f = mutableFields(format, body, "readkey");
    return new MutableReadCap(format, base32(f[0], Fields.KEY_LENGTH, "readkey"),
        base32(f[1], Fields.HASH_LENGTH, "fingerprint"), f[2]);
  }

  private static MutableVerifyCap parseVerify(MutableFormat format, String body) throws BadField {
    String[] f = mutableFields(format, body, "storage index");
    StorageIndex si = StorageIndex.of(base32(f[0], StorageIndex.LENGTH, "storage index")
        .toByteArray());
    return new MutableVerifyCap(format, si, base32(f[1], Fields.HASH_LENGTH, "fingerprint"), f[2]);
  }

  /** {key, fingerprint, extension}: SDMF ends after the fingerprint; MDMF may go on with ":...". */
  private static String[] mutableFields(MutableFormat format, String body, String first)
      throws BadField {
    String[] f = body.split(":", 3);
    if (f.length < 2) {
      throw new BadField("expected 2 fields (" + first + ":fingerprint), got " + f.length);
    }
    String extension = "";
    if (f.length == 3) {
      if (format == MutableFormat.SDMF) {
        throw new BadField("unexpected text after the fingerprint (SDMF caps have 2 fields)");
      }
      extension = ":" + f[2];
    }
    return new String[] {f[0], f[1], extension};
  }

  private static ImmutableBytes base32(String field, int bytes, String what) throws BadField {
    try {
      return ImmutableBytes.wrap(Base32.decodeExact(field, bytes, what));
    } catch (IllegalArgumentException e) {
      throw new BadField(e.getMessage());
    }
  }

  private static int shareCount(String field, String what) throws BadField {
    long v = number(field, what, 3);
    if (v < 1 || v > Fields.MAX_SHARES) {
      throw new BadField(what + " must be between 1 and 256, got " + v);
    }
    return (int) v;
  }

  private static void checkKn(int k, int n) throws BadField {
    if (n < k) {
      throw new BadField("N (" + n + ") must not be smaller than k (" + k + ")");
    }
  }

  private static long size(String field) throws BadField {
    return number(field, "size", 19);
  }

  /** A canonical non-negative decimal: digits only, no leading zero, at most maxDigits. */
  private static long number(String field, String what, int maxDigits) throws BadField {
    if (field.isEmpty()) {
      throw new BadField(what + " is missing");
    }
    for (int i = 0; i < field.length(); i++) {
      if (!isDigit(field.charAt(i))) {
        throw new BadField(what + " must be a decimal number, got '" + printable(field) + "'");
      }
    }
    if (field.length() > 1 && field.charAt(0) == '0') {
      throw new BadField(what + " must not have leading zeros, got '" + field + "'");
    }
    if (field.length() > maxDigits) {
      throw new BadField(what + " is too large (" + field.length() + " digits)");
    }
    try {
      return Long.parseLong(field);
    } catch (NumberFormatException e) {
      throw new BadField(what + " is too large: " + field);
    }
  }

  private static boolean isBase32(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String prefixOf(String u) {
    int colon = u.indexOf(':', 4);
    return colon < 0 ? "URI" : u.substring(0, colon);
  }

  private static String printable(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** The cap string after its {@code URI:<kind>:} prefix. */
  static String body(String capString) {
    return capString.substring(capString.indexOf(':', 4) + 1);
  }

  /** A field error, prefixed with the cap kind by the caller. */
  private static final class BadField extends Exception {
    private static final long serialVersionUID = 1L;

    BadField(String message) {
      super(message);
    }
  }
}
