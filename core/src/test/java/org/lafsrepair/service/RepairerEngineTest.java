package org.lafsrepair.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lafsrepair.service.QueueFixtures.list;
import static org.lafsrepair.service.QueueFixtures.workFiles;
import static org.lafsrepair.service.QueueFixtures.writeWorkFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.security.SecureRandom;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.mutable.MutablePublisher;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.MemoryGrids;

/**
 * The service driving the real {@link Repairer} over an in-memory grid of damaged CHK, SDMF and
 * MDMF files.
 */
class RepairerEngineTest {
  @TempDir Path dir;

  @Test
  void serviceRepairsDamagedFilesAndParksTheUnrecoverableOne() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(10);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    Random rnd = new Random(42);
    List<Cap> caps = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      byte[] data = new byte[5000 + i];
      rnd.nextBytes(data);
      caps.add(new Uploader(grid).uploadChk(PlaintextSource.of(data)));
    }
    List<Cap> mutables = new ArrayList<>();
    for (MutableFormat format : MutableFormat.values()) {
      byte[] data = new byte[format == MutableFormat.MDMF ? 200_000 : 20_000];
      rnd.nextBytes(data);
      MutableWriteCap cap = MutablePublisher.builder().encoding(3, 10)
          .random(new SecureRandom()).leaseSecret(grid.leaseSecret()).build()
          .create(format, null, data, servers);
      mutables.add(cap);
      deleteShares(servers, cap.index(), 3, ShareKind.MUTABLE);
    }
    deleteShares(servers, si(caps.get(0)), 1);
    deleteShares(servers, si(caps.get(1)), 3);
    corruptOneShare(servers, si(caps.get(2)));
    deleteShares(servers, si(caps.get(4)), 8);
    writeWorkFile(dir, "good",
        verify(caps.get(0)), verify(caps.get(1)), verify(caps.get(2)), caps.get(3).format(),
        si(caps.get(1)).toBase32(), verify(mutables.get(0)), mutables.get(1).format());
    writeWorkFile(dir, "bad", verify(caps.get(4)), "garbage");
    try (Repairer repairer = Repairer.builder(grid).build()) {
      RepairService s = RepairService.builder().engine(new RepairerEngine(repairer))
          .queue(DirectoryWorkQueue.open(dir)).threads(2).retryPolicy(RetryPolicy.NONE)
          .stopWhenDrained(true).pollInterval(java.time.Duration.ofMillis(10)).build();
      s.startAsync().awaitTerminated(60, TimeUnit.SECONDS);
      for (int i = 0; i < 4; i++) {
        assertTrue(repairer.checker().check(caps.get(i), true).healthy(), "file " + i);
      }
      assertFalse(repairer.checker().check(caps.get(4), true).recoverable());
      for (Cap m : mutables) {
        assertTrue(repairer.checker().check(m, true).healthy(), m.kind());
      }
      assertEquals(5, s.stats().repaired());
      assertEquals(2, s.stats().healthy());
      assertTrue(s.stats().bytesRepaired() > 0);
    }
    assertEquals(List.of(), workFiles(dir));
    assertEquals(List.of("bad", "bad.report.json"), list(dir.resolve("failed")));
    JsonNode e = new ObjectMapper().readTree(dir.resolve("failed/bad.report.json").toFile())
        .get("entries");
    assertEquals("unrecoverable", e.get(0).get("outcome").asText());
    assertEquals("invalid", e.get(1).get("outcome").asText());
  }

  private static StorageIndex si(Cap cap) {
    return cap.storageIndex().orElseThrow();
  }

  private static String verify(Cap cap) {
    return cap.verifyCap().orElseThrow().format();
  }

  private static void deleteShares(List<MemoryStorageServer> servers, StorageIndex si, int count)
      throws Exception {
    deleteShares(servers, si, count, ShareKind.IMMUTABLE);
  }

  private static void deleteShares(List<MemoryStorageServer> servers, StorageIndex si, int count,
      ShareKind kind) throws Exception {
    int deleted = 0;
    for (MemoryStorageServer s : servers) {
      for (ShareInfo info : s.listShares(si)) {
        if (deleted < count) {
          s.deleteShare(si, info.shareNumber(), kind);
          deleted++;
        }
      }
    }
    assertEquals(count, deleted);
  }

  private static void corruptOneShare(List<MemoryStorageServer> servers, StorageIndex si)
      throws Exception {
    for (MemoryStorageServer s : servers) {
      for (ShareInfo info : s.listShares(si)) {
        s.corruptStoredByte(si, info.shareNumber(), info.dataLength() / 2, 0x40);
        return;
      }
    }
  }
}
