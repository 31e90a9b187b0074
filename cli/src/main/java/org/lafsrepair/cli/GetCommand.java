package org.lafsrepair.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.CapFormatException;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.client.DownloadException;
import org.lafsrepair.client.Downloader;
import org.lafsrepair.grid.Grid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code get --grid DIR CAP [-o FILE]}: downloads and decrypts. Fails (exit 3) rather than write
 * unverified bytes; with {@code -o} the file appears only when complete (temp + rename).
 */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Download and decrypt a file.")
final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin GridOption grid;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write here instead of standard output")
  Path output;

  @Parameters(index = "0", paramLabel = "CAP", description = "a read or write cap")
  String capText;

  @Override
  public Integer call() throws Exception {
    Cap cap;
    try {
      cap = Caps.parse(capText);
    } catch (CapFormatException e) {
      throw new CliException(ExitCodes.USAGE, "bad cap: " + e.getMessage(), e);
    }
    try (Grid g = grid.open()) {
      Downloader d = new Downloader(g);
      if (output == null) {
        OutputStream out = System.out;
        d.download(cap, out);
        out.flush();
      } else {
        Path abs = output.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".part");
        try {
          try (OutputStream out = Files.newOutputStream(tmp)) {
            d.download(cap, out);
          }
          Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      return ExitCodes.OK;
    } catch (DownloadException e) {
      throw new CliException(e.unrecoverable() ? ExitCodes.UNRECOVERABLE : ExitCodes.IO, "get failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new CliException(ExitCodes.IO, "get failed: " + e.getMessage(), e);
    }
  }
}
