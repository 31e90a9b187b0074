package org.lafsrepair.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.LiteralCap;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.ChkCorpus;
import org.lafsrepair.testing.MemoryGrids;

class UploaderTest {
  @Test
  void uploadReproducesTahoesCapAndShareBytesForEveryCorpusCase() throws Exception {
    for (ChkCorpus.Case c : ChkCorpus.cases()) {
      List<MemoryStorageServer> servers = MemoryGrids.servers(c.n() + 2);
      EncodingParameters p = new EncodingParameters(c.k(), c.n(), Math.min(c.n(), 7), c.maxSegmentSize());
      Grid grid = MemoryGrids.grid(servers, p, c.convergenceSecret());
      Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of(c.plaintext()));
      assertEquals(c.readCap(), cap.toString(), c.name());
      StorageIndex si = cap.storageIndex().orElseThrow();
      Set<Integer> seen = new HashSet<>();
      Set<MemoryStorageServer> hosts = new HashSet<>();
      for (MemoryStorageServer s : servers) {
        for (ShareInfo info : s.listShares(si)) {
          assertTrue(seen.add(info.shareNumber().value()), "one copy of each share");
          hosts.add(s);
          byte[] stored = new byte[(int) info.dataLength()];
          s.read(si, info.shareNumber(), 0, stored.length).get(stored);
          assertTrue(java.util.Arrays.equals(c.share(info.shareNumber().value()).shareData(), stored),
              c.name() + " " + info.shareNumber() + " byte-identical to Tahoe's");
        }
      }
      assertEquals(c.n(), seen.size(), c.name());
      assertEquals(c.n(), hosts.size(), "each share on its own server");
    }
  }

  @Test
  void smallFilesBecomeLiteralCapsAndStoreNothing() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(10);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of("hello".getBytes()));
    assertTrue(cap instanceof LiteralCap);
    assertEquals("URI:LIT:nbswy3dp", cap.toString());
  }

  @Test
  void uploadFailsWithoutWritingWhenHappinessCannotBeMet() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(3);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    byte[] data = new byte[10_000];
    UploadException e = assertThrows(UploadException.class, () -> new Uploader(grid).uploadChk(PlaintextSource.of(data)));
    assertTrue(e.getMessage().contains("happiness 7"), e.getMessage());
    for (MemoryStorageServer s : servers) {
      assertEquals(0, s.uploadsInProgress());
    }
  }

  @Test
  void fewerServersThanSharesStillPlacesEveryShareWhenHappinessAllows() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(4);
    Grid grid = MemoryGrids.grid(servers, new EncodingParameters(2, 6, 4, 131072), new byte[32]);
    Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of(new byte[5000]));
    StorageIndex si = cap.storageIndex().orElseThrow();
    Set<Integer> seen = new HashSet<>();
    for (MemoryStorageServer s : servers) {
      assertTrue(!s.listShares(si).isEmpty(), "every server used");
      s.listShares(si).forEach(i -> seen.add(i.shareNumber().value()));
    }
    assertEquals(6, seen.size());
  }
}
