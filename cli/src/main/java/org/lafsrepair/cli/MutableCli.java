package org.lafsrepair.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.CapFormatException;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.internal.crypto.KeyFormatException;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.mutable.MutablePublisher;

/** Mutable-file parts of put (SDMF, MDMF): create, or publish a new version with --update. */
final class MutableCli {
  /** Mutable files are published from memory, as Tahoe does; refuse absurd sizes up front. */
  static final long MAX_MUTABLE_SIZE = 1L << 30;

  private MutableCli() {}

  static Cap put(Grid g, EncodingParameters p, Path input, boolean mdmf, Path keyPem, String update) throws IOException {
    long size = Files.size(input);
    if (size > MAX_MUTABLE_SIZE) {
      throw new CliException(ExitCodes.USAGE, "mutable files are limited to " + MAX_MUTABLE_SIZE + " bytes here");
    }
    byte[] plaintext = Files.readAllBytes(input);
    MutablePublisher publisher = MutablePublisher.builder().encoding(p.k(), p.n()).leaseSecret(g.leaseSecret()).build();
    try {
      if (update != null) {
        Cap cap;
        try {
          cap = Caps.parse(update);
        } catch (CapFormatException e) {
          throw new CliException(ExitCodes.USAGE, "bad cap: " + e.getMessage(), e);
        }
        if (!(cap instanceof MutableWriteCap w)) {
          throw new CliException(ExitCodes.USAGE, "--update needs a mutable write cap, got " + cap.kind());
        }
        publisher.publish(w, plaintext, g.servers());
        return w;
      }
      RsaSigningKey key = null;
      if (keyPem != null) {
        try {
          key = RsaSigningKey.fromPem(Files.readString(keyPem, StandardCharsets.US_ASCII));
        } catch (KeyFormatException e) {
          throw new CliException(ExitCodes.USAGE, "bad key " + keyPem + ": " + e.getMessage(), e);
        }
      }
      return publisher.create(mdmf ? MutableFormat.MDMF : MutableFormat.SDMF, key, plaintext, g.servers());
    } catch (MutablePublisher.PublishException e) {
      throw new CliException(ExitCodes.IO, "publish failed: " + e.getMessage(), e);
    }
  }
}
