package org.lafsrepair.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.testing.SharedVectors;

class PermutationTest {
  /**
   * Tahoe's mutable publisher gives share i to the i-th server in permuted order (on an empty
   * grid), so the corpus's mutable cases pin down the permutation: SHA1(SI || node id) ascending.
   */
  @Test
  void permutedOrderMatchesWhereTahoePublishedMutableShares() throws Exception {
    JsonNode manifest = new ObjectMapper().readTree(SharedVectors.tahoe().resolve("manifest.json").toFile());
    int checked = 0;
    for (JsonNode c : manifest.get("cases")) {
      if (!c.get("kind").asText().startsWith("mutable-")) {
        continue;
      }
      JsonNode versions = c.get("versions");
      JsonNode shares = versions.get(versions.size() - 1).get("shares");
      Map<ServerId, Integer> shnumOf = new HashMap<>();
      List<StorageServer> servers = new ArrayList<>();
      for (JsonNode sh : shares) {
        ServerId id = ServerId.parse(sh.get("serverid_b32").asText());
        shnumOf.put(id, sh.get("shnum").asInt());
        servers.add(idOnly(id));
      }
      StorageIndex si = StorageIndex.parse(c.get("storage_index_b32").asText());
      List<StorageServer> permuted = Grid.permute(servers, si);
      for (int i = 0; i < permuted.size(); i++) {
        assertEquals(i, shnumOf.get(permuted.get(i).id()), c.get("name").asText() + " position " + i);
      }
      checked++;
    }
    assertEquals(3, checked, "three mutable corpus cases");
  }

  static StorageServer idOnly(ServerId id) {
    return (StorageServer)
        Proxy.newProxyInstance(
            StorageServer.class.getClassLoader(),
            new Class<?>[] {StorageServer.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "id" -> id;
                  case "permutationSeed" -> id.toBytes();
                  case "location" -> "test:" + id;
                  case "hashCode" -> id.hashCode();
                  case "equals" -> proxy == args[0];
                  case "toString" -> "server " + id;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
