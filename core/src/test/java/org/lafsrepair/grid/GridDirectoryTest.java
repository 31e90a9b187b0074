package org.lafsrepair.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridDirectoryTest {
  @Test
  void serverUrisInGridPropertiesAddServersOfAnyScheme(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("grid.properties"),
        "k=2\nn=4\nhappy=3\nserver.b=memory:grid-test-b\nserver.a=memory:grid-test-a\n");
    try (Grid g = Grid.localDirectory(dir)) {
      assertEquals(2, g.servers().size());
      assertEquals("memory:grid-test-a", g.servers().get(0).location());
      assertEquals(new EncodingParameters(2, 4, 3, 131072), g.defaults());
      byte[] secret = g.convergenceSecret();
      try (Grid again = Grid.localDirectory(dir)) {
        assertArrayEquals(secret, again.convergenceSecret(), "secrets persist in the directory");
      }
    }
  }

  @Test
  void badSettingsAreTypedErrors(@TempDir Path dir) throws Exception {
    assertThrows(GridConfigException.class, () -> Grid.localDirectory(dir.resolve("missing")));
    assertThrows(GridConfigException.class, () -> Grid.localDirectory(dir), "no servers");
    Files.writeString(dir.resolve("grid.properties"), "server.x=::not a uri\n");
    GridConfigException e = assertThrows(GridConfigException.class, () -> Grid.localDirectory(dir));
    assertTrue(e.getMessage().contains("server.x"), e.getMessage());
    Files.writeString(dir.resolve("grid.properties"), "k=zero\nserver.x=memory:q\n");
    assertThrows(GridConfigException.class, () -> Grid.localDirectory(dir));
  }
}
