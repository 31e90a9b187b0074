package org.lafsrepair.backend.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.ServerId;

class DiskGridTest {
  @TempDir Path temp;

  @Test
  void initMakesServersWithDistinctIdsAndOpenFindsThemInOrder() throws Exception {
    Path g = temp.resolve("grid");
    List<Path> made = DiskGrid.init(g, 12);
    assertEquals(12, made.size());
    assertEquals("server00", made.get(0).getFileName().toString());
    assertEquals("server11", made.get(11).getFileName().toString());
    for (Path p : made) {
      assertTrue(Files.isDirectory(p.resolve("storage/shares")));
      assertTrue(Files.isRegularFile(p.resolve("my_nodeid")));
    }
    Files.createDirectories(g.resolve("not-a-server"));
    Files.writeString(g.resolve("README"), "hello");
    List<DiskStorageServer> servers = DiskGrid.open(g);
    try {
      assertEquals(12, servers.size());
      Set<ServerId> ids = new HashSet<>();
      for (int i = 0; i < servers.size(); i++) {
        assertEquals(made.get(i), servers.get(i).directory());
        ids.add(servers.get(i).id());
      }
      assertEquals(12, ids.size());
      assertTrue(servers.stream().allMatch(s -> s.locality() == Locality.LOCAL));
    } finally {
      servers.forEach(DiskStorageServer::close);
    }
    List<DiskStorageServer> remote = DiskGrid.open(g, Locality.REMOTE);
    try {
      assertEquals(12, remote.size());
      assertTrue(remote.stream().allMatch(s -> s.locality() == Locality.REMOTE), "a grid on a network mount");
    } finally {
      remote.forEach(DiskStorageServer::close);
    }
  }

  @Test
  void initRefusesAnExistingGridAndBadCounts() throws Exception {
    Path g = temp.resolve("grid");
    DiskGrid.init(g, 2);
    assertThrows(InvalidRequestException.class, () -> DiskGrid.init(g, 3));
    assertThrows(InvalidRequestException.class, () -> DiskGrid.init(temp.resolve("x"), 0));
    assertThrows(InvalidRequestException.class, () -> DiskGrid.init(temp.resolve("y"), 2, Map.of("k", 5, "n", 3)));
    assertThrows(InvalidRequestException.class, () -> DiskGrid.open(temp.resolve("missing")));
    Files.createDirectories(temp.resolve("empty"));
    assertThrows(InvalidRequestException.class, () -> DiskGrid.open(temp.resolve("empty")));
  }

  @Test
  void defaultsAreWrittenAndReadBack() throws Exception {
    Path g = temp.resolve("grid");
    DiskGrid.init(g, 3, Map.of("k", 2, "n", 3, "happy", 2, "segment-size", 65536));
    assertEquals(Map.of("k", 2, "n", 3, "happy", 2, "segment-size", 65536), DiskGrid.defaults(g));
    Files.writeString(g.resolve("grid.properties"), "k=seven\n");
    assertThrows(InvalidRequestException.class, () -> DiskGrid.defaults(g));
    Files.writeString(g.resolve("grid.properties"), "k=4\nother-tool=x\n");
    assertEquals(Map.of("k", 4), DiskGrid.defaults(g));
    assertEquals(Map.of(), DiskGrid.defaults(temp));
  }
}
