package org.lafsrepair.backend.s3;

import java.util.Locale;
import java.util.Optional;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

/**
 * Object keys, mirroring a Tahoe storage node's directory tree under a key prefix:
 *
 * <pre>
 * &lt;prefix&gt;node-id                                    this server's id (base32, like Tahoe's my_nodeid)
 * &lt;prefix&gt;shares/&lt;si[0:2]&gt;/&lt;si&gt;/&lt;shnum&gt;              share data, exactly the bytes readers see
 * &lt;prefix&gt;shares/&lt;si[0:2]&gt;/&lt;si&gt;/slot                 mutable slot record (write-enabler binding)
 * &lt;prefix&gt;corruption-advisories/&lt;time&gt;--&lt;si&gt;-&lt;shnum&gt;
 * </pre>
 */
final class S3Layout {
  static final String SLOT_NAME = "slot";

  private final String root;

  /** {@code prefix} with surrounding slashes removed; empty means the bucket root. */
  S3Layout(String prefix) {
    this.root = normalise(prefix);
  }

  static String normalise(String prefix) {
    String p = prefix == null ? "" : prefix.trim();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.contains("//")) {
      throw new IllegalArgumentException("key prefix must not contain empty segments: " + prefix);
    }
    return p.isEmpty() ? "" : p + "/";
  }

  /** The prefix as configured, without the trailing slash. */
  String prefix() {
    return root.isEmpty() ? "" : root.substring(0, root.length() - 1);
  }

  String nodeIdKey() {
    return root + "node-id";
  }

  /** Every share object starts with this. */
  String sharesRoot() {
    return root + "shares/";
  }

  /** Every object of one storage index starts with this. */
  String bucketPrefix(StorageIndex si) {
    return sharesRoot() + si.prefix() + "/" + si.toBase32() + "/";
  }

  String shareKey(StorageIndex si, ShareNumber shnum) {
    return bucketPrefix(si) + shnum.value();
  }

  String slotKey(StorageIndex si) {
    return bucketPrefix(si) + SLOT_NAME;
  }

  String advisoryKey(String timestamp, StorageIndex si, ShareNumber shnum) {
    return root + "corruption-advisories/" + timestamp + "--" + si.toBase32() + "-" + shnum.value();
  }

  /**
   * The share number named by the last key segment, if it is one Tahoe would accept: decimal
   * digits without a sign, 0..255, no leading zeros (so one share has one key).
   */
  static Optional<ShareNumber> parseShareName(String name) {
    int n = name.length();
    if (n == 0 || n > 3 || (n > 1 && name.charAt(0) == '0')) {
      return Optional.empty();
    }
    int v = 0;
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return Optional.empty();
      }
      v = v * 10 + (c - '0');
    }
    return v <= ShareNumber.MAX ? Optional.of(ShareNumber.of(v)) : Optional.empty();
  }

  @Override
  public String toString() {
    return root.toLowerCase(Locale.ROOT);
  }
}
