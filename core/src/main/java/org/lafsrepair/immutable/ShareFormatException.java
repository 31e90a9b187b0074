package org.lafsrepair.immutable;

/**
 * An immutable share's bytes are malformed or inconsistent with the cap (corrupt), or of a layout
 * version this library does not know (incompatible). Carries the region at fault.
 */
public class ShareFormatException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ShareRegion region;
  private final boolean incompatible;

  public ShareFormatException(ShareRegion region, String message, boolean incompatible) {
    super(message);
    this.region = region;
    this.incompatible = incompatible;
  }

  static ShareFormatException truncated(ShareRegion region, String message) {
    return new ShareFormatException(region, message, false);
  }

  static ShareFormatException incompatible(String message) {
    return new ShareFormatException(ShareRegion.HEADER, message, true);
  }

  public ShareRegion region() {
    return region;
  }

  /** True for an unknown version (Tahoe's "incompatible"), false for corruption. */
  public boolean isIncompatible() {
    return incompatible;
  }
}
