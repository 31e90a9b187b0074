package org.lafsrepair.spi.authority;

import java.nio.ByteBuffer;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

/**
 * A server-side judgement of whether a complete mutable share is intact beyond its signature
 * (blocks, block hash tree, share hash chain up to the signed root). Injected into backends so
 * that a server can replace a same-version share whose data is corrupt; lafs-repair core
 * provides the full check. Must be thread-safe and must not throw on hostile bytes.
 */
@FunctionalInterface
public interface MutableShareIntegrity {
  boolean intact(StorageIndex si, ShareNumber shnum, ByteBuffer share);

  /**
   * The full check found on the class path with {@link java.util.ServiceLoader} (lafs-repair core
   * registers one), else {@link #signatureOnly()}. Backends default to this, so a server opened
   * through a provider URI gets the full check whenever core is present.
   */
  static MutableShareIntegrity discovered() {
    return Discovered.INSTANCE;
  }

  /**
   * Trusts a share whose signature verifies. With it, a server never replaces a validly signed
   * share of the same version (it cannot tell which copy is right), which is safe but leaves
   * such corruption to the writer.
   */
  static MutableShareIntegrity signatureOnly() {
    return (si, shnum, share) -> {
      SignedShareHeader h = SignedShareHeader.parse(share);
      return h != null && h.signatureValid();
    };
  }

  /** Holder: discovered once, on first use. Not API. */
  final class Discovered {
    static final MutableShareIntegrity INSTANCE = java.util.ServiceLoader
        .load(MutableShareIntegrity.class, MutableShareIntegrity.class.getClassLoader())
        .findFirst()
        .orElseGet(MutableShareIntegrity::signatureOnly);

    private Discovered() {}
  }
}
