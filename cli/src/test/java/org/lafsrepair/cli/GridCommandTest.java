package org.lafsrepair.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.grid.GridConfigException;
import org.lafsrepair.spi.Locality;
import picocli.CommandLine;

class GridCommandTest {
  @TempDir Path temp;

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void gridInitCreatesAGridTheCoreGridOpens() throws Exception {
    Path g = temp.resolve("grid");
    Result r = run("grid", "init", g.toString(), "--servers", "5", "--k", "2", "--n", "5", "--happy", "4");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("5 servers"), r.out());
    assertTrue(Files.isRegularFile(g.resolve("server04/my_nodeid")));
    try (Grid grid = Grid.localDirectory(g)) {
      assertEquals(5, grid.servers().size());
      assertEquals(2, grid.defaults().k());
      assertEquals(4, grid.defaults().happy());
    }
  }

  @Test
  void aGridOnANetworkMountOpensItsServersAsRemote() throws Exception {
    Path g = temp.resolve("grid");
    assertEquals(0, run("grid", "init", g.toString(), "--servers", "3").exit());
    try (Grid grid = Grid.localDirectory(g)) {
      assertTrue(grid.servers().stream().allMatch(s -> s.locality() == Locality.LOCAL));
    }
    Files.writeString(g.resolve("grid.properties"), "locality=remote\n");
    try (Grid grid = Grid.localDirectory(g)) {
      assertEquals(3, grid.servers().size());
      assertTrue(grid.servers().stream().allMatch(s -> s.locality() == Locality.REMOTE));
    }
    Files.writeString(g.resolve("grid.properties"), "locality=far\n");
    assertThrows(GridConfigException.class, () -> Grid.localDirectory(g));
  }

  @Test
  void gridInfoDescribesEveryServerAsJson() throws Exception {
    Path g = temp.resolve("grid");
    assertEquals(0, run("grid", "init", g.toString(), "--servers", "3").exit());
    Result r = run("grid", "info", g.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    assertEquals(3, o.get("servers").size());
    assertEquals("server00", o.get("servers").get(0).get("name").asText());
    assertEquals(32, o.get("servers").get(0).get("server-id").asText().length());
    assertEquals(Files.readString(g.resolve("server01/my_nodeid")).trim(),
        o.get("servers").get(1).get("server-id").asText());
  }

  @Test
  void badGridRequestsAreUsageErrors() throws Exception {
    Path g = temp.resolve("grid");
    assertEquals(0, run("grid", "init", g.toString(), "--servers", "2").exit());
    Result again = run("grid", "init", g.toString(), "--servers", "2");
    assertEquals(ExitCodes.USAGE, again.exit());
    assertTrue(again.err().startsWith("lafs-repair: grid init: "), again.err());
    assertTrue(again.err().contains("already a grid"), again.err());
    assertEquals(ExitCodes.USAGE, run("grid", "init", temp.resolve("z").toString(), "--servers", "0").exit());
    assertEquals(ExitCodes.USAGE, run("grid", "init", temp.resolve("w").toString()).exit());
    assertEquals(ExitCodes.USAGE, run("grid", "info", temp.resolve("nothing").toString()).exit());
    assertEquals(ExitCodes.USAGE, run("grid").exit());
  }
}
