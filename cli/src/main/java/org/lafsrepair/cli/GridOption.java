package org.lafsrepair.cli;

import java.nio.file.Path;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.grid.GridConfigException;
import org.lafsrepair.spi.StorageException;
import picocli.CommandLine.Option;

/** The {@code --grid DIR} option shared by commands that talk to a local grid directory. */
final class GridOption {
  @Option(names = "--grid", required = true, paramLabel = "DIR", description = "grid directory (see 'grid init')")
  Path dir;

  Grid open() {
    try {
      return Grid.localDirectory(dir);
    } catch (GridConfigException e) {
      throw new CliException(ExitCodes.USAGE, "bad grid: " + e.getMessage(), e);
    } catch (StorageException e) {
      throw new CliException(ExitCodes.IO, "cannot open grid " + dir + ": " + e.getMessage(), e);
    }
  }
}
