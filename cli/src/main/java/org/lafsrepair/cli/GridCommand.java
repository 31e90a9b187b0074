package org.lafsrepair.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.lafsrepair.backend.disk.DiskGrid;
import org.lafsrepair.backend.disk.DiskStorageServer;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.SpaceInfo;
import org.lafsrepair.spi.StorageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code grid init DIR --servers N} and {@code grid info DIR}: the local grid directory of docs/cli.md. */
@Command(name = "grid", mixinStandardHelpOptions = true,
    description = "Create or describe a local grid directory.",
    subcommands = {GridCommand.Init.class, GridCommand.Info.class})
final class GridCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CliException(ExitCodes.USAGE, "grid: give a subcommand (init, info)");
  }

  private static CliException fail(StorageException e, String what) {
    int code = e instanceof InvalidRequestException ? ExitCodes.USAGE : ExitCodes.IO;
    return new CliException(code, what + ": " + e.getMessage(), e);
  }

  /** {@code grid init DIR --servers N [--k K] [--n N] [--happy H] [--segment-size S]}. */
  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Create an empty grid of N storage servers laid out like Tahoe storage nodes.")
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Grid directory (created if missing).")
    Path dir;

    @Option(names = "--servers", required = true, paramLabel = "N", description = "Number of servers.")
    int servers;

    @Option(names = "--k", paramLabel = "K", description = "Default shares needed (grid.properties).")
    Integer k;

    @Option(names = "--n", paramLabel = "N", description = "Default shares made (grid.properties).")
    Integer n;

    @Option(names = "--happy", paramLabel = "H", description = "Default servers of happiness (grid.properties).")
    Integer happy;

    @Option(names = "--segment-size", paramLabel = "BYTES", description = "Default maximum segment size (grid.properties).")
    Integer segmentSize;

    @Override
    public Integer call() {
      Map<String, Integer> defaults = new TreeMap<>();
      put(defaults, "k", k);
      put(defaults, "n", n);
      put(defaults, "happy", happy);
      put(defaults, "segment-size", segmentSize);
      List<Path> made;
      try {
        made = DiskGrid.init(dir, servers, defaults);
      } catch (StorageException e) {
        throw fail(e, "grid init");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("created grid " + dir.toAbsolutePath().normalize() + " with " + made.size() + " servers");
      out.flush();
      return ExitCodes.OK;
    }

    private static void put(Map<String, Integer> m, String key, Integer v) {
      if (v != null) {
        m.put(key, v);
      }
    }
  }

  /** {@code grid info DIR [--json]}: servers, ids, shares held and free space. */
  @Command(name = "info", mixinStandardHelpOptions = true, description = "Describe a grid directory's servers.")
  static final class Info implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Grid directory.")
    Path dir;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      List<DiskStorageServer> servers;
      Map<String, Integer> defaults;
      try {
        defaults = DiskGrid.defaults(dir);
        servers = DiskGrid.open(dir);
      } catch (StorageException e) {
        throw fail(e, "grid info");
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try {
        for (DiskStorageServer s : servers) {
          SpaceInfo space = s.space();
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", s.directory().getFileName().toString());
          row.put("server-id", s.id().toBase32());
          row.put("available-space", space.available());
          rows.add(row);
        }
      } catch (StorageException e) {
        throw fail(e, "grid info");
      } finally {
        for (DiskStorageServer s : servers) {
          s.close();
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("grid", dir.toAbsolutePath().normalize().toString());
        o.put("defaults", defaults);
        o.put("servers", rows);
        out.println(Reports.JSON.writeValueAsString(o));
      } else {
        out.println("grid:     " + dir.toAbsolutePath().normalize());
        out.println("defaults: " + (defaults.isEmpty() ? "(none)" : defaults));
        for (Map<String, Object> r : rows) {
          out.println(r.get("name") + "  " + r.get("server-id") + "  " + r.get("available-space") + " bytes free");
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
