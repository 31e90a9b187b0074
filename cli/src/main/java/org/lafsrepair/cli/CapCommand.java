package org.lafsrepair.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.CapFormatException;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.cap.ChkReadCap;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.cap.LiteralCap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lafs-repair cap CAP [--json]}: parses any cap and prints its kind, storage index, the
 * verify and read caps derived from it, and k, N and size when the cap carries them (docs/cli.md).
 */
@Command(
    name = "cap",
    mixinStandardHelpOptions = true,
    description = "Parse a cap; print its kind, storage index, derived verify/read caps, k, N, size.")
final class CapCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "CAP",
      description = "Any Tahoe-LAFS cap (URI:...), or '-' to read it from the first line of"
          + " stdin (keeps the cap out of the process list).")
  String cap;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    Cap parsed;
    try {
      parsed = Caps.parse("-".equals(cap) ? readStdinLine() : cap);
    } catch (CapFormatException e) {
      throw new CliException(ExitCodes.USAGE, "bad cap: " + e.getMessage(), e);
    }
    Map<String, Object> report = describe(parsed);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      try {
        out.println(JSON.writeValueAsString(report));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render the cap report as JSON", e);
      }
    } else {
      report.forEach((k, v) -> out.println(k + ": " + v));
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static String readStdinLine() {
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = r.readLine();
      if (line == null) {
        throw new CliException(ExitCodes.USAGE, "bad cap: stdin is empty");
      }
      return line.strip();
    } catch (IOException e) {
      throw new CliException(ExitCodes.IO, "cannot read stdin: " + e.getMessage(), e);
    }
  }

  /** The report's fields, in the order of docs/cli.md; absent fields are left out. */
  static Map<String, Object> describe(Cap cap) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", cap.kind());
    cap.storageIndex().ifPresent(si -> m.put("storage-index", si.toBase32()));
    cap.verifyCap().ifPresent(v -> m.put("verify-cap", v.format()));
    cap.readCap().ifPresent(r -> m.put("read-cap", r.format()));
    Cap file = cap.fileCap();
    if (file instanceof ChkReadCap c) {
      m.put("k", c.k());
      m.put("n", c.n());
      m.put("size", c.size());
    } else if (file instanceof ChkVerifyCap c) {
      m.put("k", c.k());
      m.put("n", c.n());
      m.put("size", c.size());
    } else if (file instanceof LiteralCap c) {
      m.put("size", c.size());
    }
    return m;
  }
}
