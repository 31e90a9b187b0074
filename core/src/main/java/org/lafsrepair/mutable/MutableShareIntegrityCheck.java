package org.lafsrepair.mutable;

import java.nio.ByteBuffer;
import org.lafsrepair.internal.crypto.KeyFormatException;
import org.lafsrepair.internal.crypto.RsaVerificationKey;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.authority.MutableShareIntegrity;

/**
 * The full server-side integrity check for publish authority: the share parses, its signature
 * verifies under its own key, and every block leads through the block tree and chain to the
 * signed root (docs/publish-authority.md, check 3). Give it to a backend's builder so that a
 * server can replace a same-version share whose data is corrupt. Thread-safe; never throws on
 * hostile bytes.
 */
public final class MutableShareIntegrityCheck implements MutableShareIntegrity {
  private static final MutableShareIntegrityCheck INSTANCE = new MutableShareIntegrityCheck();

  /**
   * Public for {@link java.util.ServiceLoader}: backends find this check through {@link
   * MutableShareIntegrity#discovered()} when core is on the class path. Prefer {@link #instance()}.
   */
  public MutableShareIntegrityCheck() {}

  public static MutableShareIntegrityCheck instance() {
    return INSTANCE;
  }

  @Override
  public boolean intact(StorageIndex si, ShareNumber shnum, ByteBuffer share) {
    byte[] bytes = new byte[share.remaining()];
    share.duplicate().get(bytes);
    try {
      MutableShare parsed = MutableShare.parse(bytes);
      if (!RsaVerificationKey.fromSpki(parsed.verificationKeyUnsafe())
          .verify(parsed.prefix().toBytes(), parsed.signatureUnsafe())) {
        return false;
      }
      ShareChecker.checkData(parsed, ShareSource.of(bytes), shnum.value());
      return true;
    } catch (CorruptMutableShareException | KeyFormatException | StorageException e) {
      return false;
    }
  }
}
