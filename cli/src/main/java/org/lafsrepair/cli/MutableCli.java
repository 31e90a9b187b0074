package org.lafsrepair.cli;

import java.nio.file.Path;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;

/** Mutable-file parts of put and get (SDMF, MDMF). */
final class MutableCli {
  private MutableCli() {}

  static Cap put(Grid g, EncodingParameters p, Path input, boolean mdmf, Path keyPem) {
    throw new CliException(ExitCodes.USAGE, "mutable put is not wired yet");
  }
}
