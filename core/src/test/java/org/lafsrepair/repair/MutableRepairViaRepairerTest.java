package org.lafsrepair.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.client.Downloader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.mutable.MutablePublisher;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.MemoryGrids;

/** The Repairer facade on mutable files: one API, verify cap only, results in the common shape. */
class MutableRepairViaRepairerTest {
  @Test
  void sdmfAndMdmfAreRepairedFromTheVerifyCapAlone() throws Exception {
    for (MutableFormat format : MutableFormat.values()) {
      List<MemoryStorageServer> servers = MemoryGrids.servers(10);
      Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
      byte[] plaintext = new byte[format == MutableFormat.MDMF ? 300_000 : 20_000];
      new Random(3).nextBytes(plaintext);
      MutablePublisher publisher = MutablePublisher.builder().encoding(3, 10)
          .random(new SecureRandom()).leaseSecret(grid.leaseSecret()).build();
      MutableWriteCap cap = publisher.create(format, null, plaintext, servers);
      StorageIndex si = cap.index();
      int deleted = 0;
      for (MemoryStorageServer s : servers) {
        for (ShareInfo i : s.listShares(si)) {
          if (deleted < 4) {
            s.deleteShare(si, i.shareNumber(), ShareKind.MUTABLE);
            deleted++;
          }
        }
      }
      try (Repairer r = Repairer.builder(grid).build()) {
        CheckResult pre = r.checker().check(cap.toVerifyCap(), true);
        assertFalse(pre.healthy());
        assertEquals(6, pre.goodShares());
        assertEquals(1L, pre.seqnum().orElseThrow());
        RepairResult result = r.repair(cap.toVerifyCap());
        assertTrue(result.successful(), format + ": " + result.problems());
        assertEquals(4, result.written().size());
        assertEquals(10, result.post().goodShares());
        assertEquals(1L, result.post().seqnum().orElseThrow(), "no seqnum bump: no repair churn");
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      new Downloader(grid).download(cap, out);
      assertArrayEquals(plaintext, out.toByteArray());
    }
  }

  @Test
  void corruptSameVersionShareIsReplacedFromTheVerifyCap() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(10);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    byte[] plaintext = new byte[20_000];
    new Random(4).nextBytes(plaintext);
    MutableWriteCap cap = MutablePublisher.builder().encoding(3, 10).leaseSecret(grid.leaseSecret()).build()
        .create(MutableFormat.SDMF, null, plaintext, servers);
    StorageIndex si = cap.index();
    MemoryStorageServer victim = null;
    for (MemoryStorageServer s : servers) {
      if (!s.listShares(si).isEmpty()) {
        victim = s;
      }
    }
    org.lafsrepair.spi.ShareNumber sh = victim.listShares(si).get(0).shareNumber();
    victim.corruptStoredByte(si, sh, 1000, 0x01); // inside the block
    try (Repairer r = Repairer.builder(grid).build()) {
      CheckResult pre = r.checker().check(cap.toVerifyCap(), true);
      assertEquals(1, pre.corruptShares().size());
      RepairResult result = r.repair(cap.toVerifyCap());
      assertTrue(result.successful(), result.problems() + " post corrupt " + result.post().corruptShares());
      assertTrue(result.post().corruptShares().isEmpty());
    }
  }

  @Test
  void aWriteCapIsUsedForTheWriteEnablerPathWhenGiven() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(10);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    MutableWriteCap cap = MutablePublisher.builder().encoding(3, 10).leaseSecret(grid.leaseSecret()).build()
        .create(MutableFormat.MDMF, null, new byte[5000], servers);
    int deleted = 0;
    for (MemoryStorageServer s : servers) {
      for (ShareInfo i : s.listShares(cap.index())) {
        if (deleted++ < 3) {
          s.deleteShare(cap.index(), i.shareNumber(), ShareKind.MUTABLE);
        }
      }
    }
    try (Repairer r = Repairer.builder(grid).build()) {
      Repairer.Target t = Repairer.Target.of(cap);
      assertEquals(cap, t.given().orElseThrow());
      RepairResult result = r.repair(t, Repairer.RepairOptions.DEFAULT);
      assertTrue(result.successful(), result.problems().toString());
      assertEquals(3, result.written().size());
    }
  }

  @Test
  void aHungServerDoesNotStallAMutableCheckOrRepair() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(10);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    MutablePublisher publisher = MutablePublisher.builder().encoding(3, 10)
        .random(new SecureRandom()).leaseSecret(grid.leaseSecret()).build();
    MutableWriteCap cap = publisher.create(MutableFormat.SDMF, null, new byte[5_000], servers);
    MemoryStorageServer hung = null;
    for (MemoryStorageServer s : servers) {
      if (!s.listShares(cap.index()).isEmpty()) {
        hung = s;
        break;
      }
    }
    hung.faults().delay(org.lafsrepair.spi.memory.Faults.Op.LIST, java.time.Duration.ofMinutes(10));
    try (Repairer r = Repairer.builder(grid).listTimeout(java.time.Duration.ofMillis(300))
        .verifyTimeout(java.time.Duration.ofMillis(700)).build()) {
      CheckResult listed = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
          () -> r.checker().check(cap.toVerifyCap(), false));
      assertTrue(listed.serversNotResponding().contains(hung.id()), listed.toString());
      RepairResult repaired = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
          () -> r.repair(cap.toVerifyCap()));
      assertTrue(repaired.pre().serversNotResponding().contains(hung.id()));
      assertEquals(9, repaired.pre().goodShares(), repaired.pre().toString());
    } finally {
      hung.faults().clear();
    }
  }
}
