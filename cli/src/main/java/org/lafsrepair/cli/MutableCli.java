package org.lafsrepair.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.internal.crypto.KeyFormatException;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.mutable.MutablePublisher;

/** Mutable-file parts of put and get (SDMF, MDMF). */
final class MutableCli {
  /** Largest mutable file put accepts. */
  static final long MAX_MUTABLE_FILE = 256L * 1024 * 1024;

  private MutableCli() {}

  /**
   * Publishes {@code input} as a mutable file. With {@code --key} the file's identity is that
   * key's: if the grid already holds it, this publishes the next version (seqnum + 1), as
   * Tahoe's publisher would; without, a new 2048-bit key makes a new file.
   */
  static Cap put(Grid g, EncodingParameters p, Path input, boolean mdmf, Path keyPem) {
    RsaSigningKey key = null;
    if (keyPem != null) {
      try {
        key = RsaSigningKey.fromPem(Files.readString(keyPem, StandardCharsets.US_ASCII));
      } catch (IOException e) {
        throw new CliException(ExitCodes.IO, "cannot read key " + keyPem + ": " + e.getMessage(), e);
      } catch (KeyFormatException e) {
        throw new CliException(ExitCodes.USAGE, "bad key " + keyPem + ": " + e.getMessage(), e);
      }
    }
    byte[] plaintext;
    try {
      // The publisher holds a version's shares in memory (N/k times the file).
      if (Files.size(input) > MAX_MUTABLE_FILE) {
        throw new CliException(ExitCodes.USAGE, input + " exceeds the " + MAX_MUTABLE_FILE
            + "-byte limit for mutable files");
      }
      plaintext = Files.readAllBytes(input);
    } catch (IOException e) {
      throw new CliException(ExitCodes.IO, "cannot read " + input + ": " + e.getMessage(), e);
    }
    MutablePublisher.Builder b = MutablePublisher.builder().encoding(p.k(), p.n())
        .leaseSecret(g.leaseSecret());
    try {
      return b.build().create(mdmf ? MutableFormat.MDMF : MutableFormat.SDMF, key, plaintext,
          g.servers());
    } catch (MutablePublisher.PublishException e) {
      throw new CliException(ExitCodes.IO, "publish failed: " + e.getMessage(), e);
    }
  }
}
