package org.lafsrepair.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.client.UploadException;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code put --grid DIR [--format chk|sdmf|mdmf] [--k 3] [--n 10] [--happy 7] [--segment-size
 * 131072] [--convergence-secret HEX] [--key PEM] FILE|-}: uploads and prints the cap. Same inputs
 * as Tahoe give the same cap, byte for byte.
 */
@Command(name = "put", mixinStandardHelpOptions = true, description = "Upload a file; print its cap.")
final class PutCommand implements Callable<Integer> {
  enum Format { chk, sdmf, mdmf }

  @Spec CommandSpec spec;
  @Mixin GridOption grid;

  @Option(names = "--format", defaultValue = "chk", description = "chk (immutable), sdmf or mdmf (mutable). Default ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--k", description = "shares needed (default: grid.properties or 3)")
  Integer k;

  @Option(names = "--n", description = "shares made (default: grid.properties or 10)")
  Integer n;

  @Option(names = "--happy", description = "servers-of-happiness required (default: grid.properties or 7)")
  Integer happy;

  @Option(names = "--segment-size", description = "maximum segment size (default: grid.properties or 131072)")
  Integer segmentSize;

  @Option(names = "--convergence-secret", paramLabel = "HEX", description = "convergence secret (default: the grid's 'convergence' file)")
  String convergenceSecret;

  @Option(names = "--key", paramLabel = "PEM", description = "RSA-2048 private key for a mutable file (default: a new key)")
  Path key;

  @Option(names = "--update", paramLabel = "WRITECAP", description = "publish a new version of this mutable file instead of creating one")
  String update;

  @Parameters(index = "0", paramLabel = "FILE|-", description = "file to upload, or - for standard input")
  String file;

  @Override
  public Integer call() throws Exception {
    Path input;
    Path temp = null;
    if (file.equals("-")) {
      // Convergent encryption reads the plaintext twice: spool standard input once.
      temp = Files.createTempFile("lafs-repair-put", ".tmp");
      try (InputStream in = System.in) {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      }
      input = temp;
    } else {
      input = Path.of(file);
      if (!Files.isRegularFile(input)) {
        throw new CliException(ExitCodes.USAGE, "no such file: " + file);
      }
    }
    try (Grid g = grid.open()) {
      EncodingParameters d = g.defaults();
      EncodingParameters p;
      try {
        int nn = n != null ? n : d.n();
        p = new EncodingParameters(k != null ? k : d.k(), nn, happy != null ? happy : Math.min(d.happy(), nn),
            segmentSize != null ? segmentSize : d.maxSegmentSize());
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "bad encoding parameters: " + e.getMessage(), e);
      }
      Cap cap = switch (format) {
        case chk -> putChk(g, p, input);
        case sdmf, mdmf -> MutableCli.put(g, p, input, format == Format.mdmf, key, update);
      };
      spec.commandLine().getOut().println(cap);
      return ExitCodes.OK;
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  private Cap putChk(Grid g, EncodingParameters p, Path input) throws IOException {
    byte[] secret = g.convergenceSecret();
    if (convergenceSecret != null) {
      try {
        secret = HexFormat.of().parseHex(convergenceSecret.trim());
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "bad convergence secret: not hex", e);
      }
      if (secret.length == 0) {
        throw new CliException(ExitCodes.USAGE, "bad convergence secret: empty");
      }
    }
    try {
      return new Uploader(g).uploadChk(PlaintextSource.of(input), p, secret);
    } catch (UploadException e) {
      throw new CliException(ExitCodes.IO, "upload failed: " + e.getMessage(), e);
    }
  }
}
