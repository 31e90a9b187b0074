package org.lafsrepair.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.Caps;
import org.lafsrepair.cap.VerifyCap;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.memory.Faults;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.ChkCorpus;
import org.lafsrepair.testing.MemoryGrids;

class ChkRepairTest {
  /** Servers holding a file, with the helpers the tests need. */
  record Fixture(List<MemoryStorageServer> servers, Grid grid, Cap readCap, StorageIndex si) {
    VerifyCap verifyCap() {
      return readCap.verifyCap().orElseThrow();
    }

    MemoryStorageServer holder(int shnum) throws Exception {
      for (MemoryStorageServer s : servers) {
        for (ShareInfo i : s.listShares(si)) {
          if (i.shareNumber().value() == shnum) {
            return s;
          }
        }
      }
      throw new AssertionError("no server holds " + shnum);
    }

    void delete(int shnum) throws Exception {
      holder(shnum).deleteShare(si, ShareNumber.of(shnum), ShareKind.IMMUTABLE);
    }

    Map<Integer, byte[]> shareBytes() throws Exception {
      Map<Integer, byte[]> out = new HashMap<>();
      for (MemoryStorageServer s : servers) {
        for (ShareInfo i : s.listShares(si)) {
          ByteBuffer b = s.read(si, i.shareNumber(), 0, (int) i.dataLength());
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          out.put(i.shareNumber().value(), bytes);
        }
      }
      return out;
    }
  }

  static Fixture upload(int servers, EncodingParameters p, byte[] secret, byte[] plaintext) throws Exception {
    List<MemoryStorageServer> list = MemoryGrids.servers(servers);
    Grid grid = MemoryGrids.grid(list, p, secret);
    Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of(plaintext));
    return new Fixture(list, grid, cap, cap.storageIndex().orElseThrow());
  }

  @Test
  void everyCorpusCaseIsRestoredByteForByteAfterLosingNMinusKShares() throws Exception {
    Random rnd = new Random(1);
    for (ChkCorpus.Case c : ChkCorpus.cases()) {
      if (c.k() == c.n()) {
        continue; // nothing can be lost and repaired (k1n1)
      }
      EncodingParameters p = new EncodingParameters(c.k(), c.n(), Math.min(7, c.n()), c.maxSegmentSize());
      List<List<Integer>> patterns = new ArrayList<>();
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < c.n(); i++) {
        all.add(i);
      }
      patterns.add(all.subList(0, c.n() - c.k())); // lose the primaries first: decode is needed
      patterns.add(all.subList(c.k(), c.n())); // lose every check share
      for (int t = 0; t < 2; t++) {
        List<Integer> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, rnd);
        patterns.add(shuffled.subList(0, c.n() - c.k()));
      }
      for (List<Integer> lost : patterns) {
        Fixture f = upload(c.n(), p, c.convergenceSecret(), c.plaintext());
        assertEquals(c.readCap(), f.readCap().toString());
        for (int sh : lost) {
          f.delete(sh);
        }
        try (Repairer r = Repairer.builder(f.grid()).build()) {
          RepairResult result = r.repair(f.verifyCap());
          assertFalse(result.pre().healthy(), c.name());
          assertTrue(result.successful(), c.name() + " lost " + lost + ": " + result.problems());
          assertEquals(lost.size(), result.written().size());
          assertTrue(result.post().verified());
          assertEquals(c.n(), result.post().goodShares());
          assertEquals(c.n(), result.post().happiness());
        }
        Map<Integer, byte[]> after = f.shareBytes();
        for (int sh = 0; sh < c.n(); sh++) {
          assertArrayEquals(c.share(sh).shareData(), after.get(sh), c.name() + " share " + sh + " byte-identical");
        }
      }
    }
  }

  @Test
  void healthyFileIsLeftAlone() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[200_000]);
    try (Repairer r = Repairer.builder(f.grid()).build()) {
      RepairResult result = r.repair(f.verifyCap());
      assertTrue(result.pre().healthy());
      assertFalse(result.attempted());
      assertTrue(result.successful());
      assertTrue(result.written().isEmpty());
    }
  }

  @Test
  void unrecoverableFileIsReportedAndNothingChanges() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[100_000]);
    for (int sh = 0; sh < 8; sh++) {
      f.delete(sh);
    }
    Map<Integer, byte[]> before = f.shareBytes();
    try (Repairer r = Repairer.builder(f.grid()).build()) {
      RepairResult result = r.repair(f.verifyCap());
      assertFalse(result.pre().recoverable());
      assertFalse(result.attempted());
      assertFalse(result.successful());
    }
    assertEquals(before.keySet(), f.shareBytes().keySet());
  }

  @Test
  void corruptShareIsReplacedInPlaceAndFlipsAnywhereAreCaught() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[400_000]);
    Map<Integer, byte[]> original = f.shareBytes();
    // A block byte, a hash-tree byte, and the UEB.
    f.holder(0).corruptStoredByte(f.si(), ShareNumber.of(0), 0x24 + 10, 0x40);
    long len = original.get(4).length;
    f.holder(4).corruptStoredByte(f.si(), ShareNumber.of(4), len - 100, 0x01);
    f.holder(7).truncateStored(f.si(), ShareNumber.of(7), len / 2);
    try (Repairer r = Repairer.builder(f.grid()).build()) {
      CheckResult check = r.checker().check(f.verifyCap(), true);
      assertEquals(3, check.corruptShares().size());
      assertEquals(7, check.goodShares());
      RepairResult result = r.repair(f.verifyCap());
      assertTrue(result.successful(), result.problems().toString());
      assertEquals(3, result.replaced().size(), "replaced on the same servers");
      assertTrue(result.post().corruptShares().isEmpty());
    }
    Map<Integer, byte[]> after = f.shareBytes();
    for (int sh = 0; sh < 10; sh++) {
      assertArrayEquals(original.get(sh), after.get(sh));
    }
  }

  @Test
  void listingOnlyCheckBelievesServersButVerifyDoesNot() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[50_000]);
    f.holder(3).corruptStoredByte(f.si(), ShareNumber.of(3), 0x24, 0xff);
    try (Repairer r = Repairer.builder(f.grid()).build()) {
      assertTrue(r.checker().check(f.verifyCap(), false).healthy(), "Tahoe-style check trusts claims");
      CheckResult verified = r.checker().check(f.verifyCap(), true);
      assertFalse(verified.healthy());
      assertEquals(1, verified.corruptShares().size());
      assertEquals(3, verified.corruptShares().get(0).shareNumber().value());
    }
  }

  @Test
  void doubledUpSharesAreRebalancedOntoFreeServers() throws Exception {
    // Upload onto 3 servers (happy 3), then add 7 empty servers: repair spreads to 10.
    List<MemoryStorageServer> three = MemoryGrids.servers(10).subList(0, 3);
    List<MemoryStorageServer> all = MemoryGrids.servers(10);
    Grid small = MemoryGrids.grid(all.subList(0, 3), new EncodingParameters(3, 10, 3, 131072), new byte[32]);
    Cap cap = new Uploader(small).uploadChk(PlaintextSource.of(new byte[100_000]));
    Grid big = MemoryGrids.grid(all, EncodingParameters.DEFAULT, new byte[32]);
    try (Repairer r = Repairer.builder(big).build()) {
      RepairResult result = r.repair(cap);
      assertEquals(3, result.pre().happiness());
      assertEquals(10, result.pre().goodShares());
      assertFalse(result.pre().healthy(), "all shares present but doubled up");
      assertTrue(result.successful(), result.problems().toString());
      assertEquals(10, result.post().happiness());
      assertEquals(7, result.written().size());
      assertEquals(7, result.removed().size(), "surplus copies removed after the new ones verified");
    }
    assertEquals(3, three.size());
  }

  @Test
  void failingServerMidRepairGivesPartialSuccessAndALaterRepairFinishes() throws Exception {
    Fixture f = upload(12, EncodingParameters.DEFAULT, new byte[32], new byte[300_000]);
    for (int sh = 0; sh < 4; sh++) {
      f.delete(sh);
    }
    // Every server refuses commits for now: nothing can land.
    for (MemoryStorageServer s : f.servers()) {
      s.faults().failNext(Faults.Op.COMMIT, 1);
    }
    try (Repairer r = Repairer.builder(f.grid()).build()) {
      RepairResult first = r.repair(f.verifyCap());
      assertFalse(first.successful());
      assertFalse(first.problems().isEmpty());
      for (MemoryStorageServer s : f.servers()) {
        assertEquals(0, s.uploadsInProgress(), "nothing half-written left behind");
      }
      RepairResult second = r.repair(f.verifyCap());
      assertTrue(second.successful(), second.problems().toString());
      assertEquals(10, second.post().goodShares());
    }
  }

  @Test
  void deadAndSlowServersDoNotStallTheCheck() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[30_000]);
    MemoryStorageServer dead = f.holder(1);
    MemoryStorageServer slow = f.holder(2);
    dead.faults().offline();
    slow.faults().delay(Faults.Op.LIST, Duration.ofSeconds(30));
    try (Repairer r = Repairer.builder(f.grid()).listTimeout(Duration.ofMillis(500)).build()) {
      long t0 = System.nanoTime();
      CheckResult c = r.checker().check(f.verifyCap(), true);
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos());
      assertEquals(8, c.goodShares());
      assertEquals(2, c.serversNotResponding().size());
      assertTrue(c.recoverable());
    }
  }

  @Test
  void storageIndexOnlyModeFindsVerifiesAndRepairsWithoutACap() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[250_000]);
    Map<Integer, byte[]> original = f.shareBytes();
    f.delete(2);
    f.delete(9);
    f.holder(5).corruptStoredByte(f.si(), ShareNumber.of(5), 0x30, 0x10);
    try (Repairer r = Repairer.builder(f.grid()).build()) {
      RepairResult result = r.repair(f.si());
      assertEquals(CheckResult.Mode.STORAGE_INDEX_ONLY, result.pre().mode());
      assertFalse(result.pre().notes().isEmpty());
      assertTrue(result.successful(), result.problems().toString());
    }
    assertEquals(original.keySet(), f.shareBytes().keySet());
    for (int sh = 0; sh < 10; sh++) {
      assertArrayEquals(original.get(sh), f.shareBytes().get(sh));
    }
  }

  @Test
  void readAndWriteCapsAreDiminishedFirst() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[70_000]);
    f.delete(0);
    try (Repairer r = Repairer.builder(f.grid()).build()) {
      RepairResult result = r.repair(Caps.parse(f.readCap().toString()));
      assertTrue(result.successful());
    }
  }

  @Test
  void postCheckWithoutRereadingAgreesWithAFreshVerify() throws Exception {
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[260_000]);
    f.delete(1);
    f.delete(6);
    f.holder(3).corruptStoredByte(f.si(), ShareNumber.of(3), 0x40, 0x02);
    try (Repairer r = Repairer.builder(f.grid()).freshPostCheck(false).build()) {
      RepairResult result = r.repair(f.verifyCap());
      assertTrue(result.successful(), result.problems().toString());
      CheckResult fresh = r.checker().check(f.verifyCap(), true);
      assertEquals(fresh.healthy(), result.post().healthy());
      assertEquals(fresh.goodShares(), result.post().goodShares());
      assertEquals(fresh.happiness(), result.post().happiness());
      assertEquals(fresh.sharemap(), result.post().sharemap());
      assertEquals(fresh.corruptShares(), result.post().corruptShares());
    }
  }

  @Test
  void aNewShareThatReadsBackDifferentlyIsNotCounted() throws Exception {
    // Every server corrupts reads of share 2 inside its first block: the rebuilt share lands,
    // but the read-back sees a block that differs from what was written.
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], new byte[300_000]);
    f.delete(2);
    for (MemoryStorageServer s : f.servers()) {
      s.faults().corruptReads(f.si(), ShareNumber.of(2), 0x24 + 1000, 0x10);
    }
    try (Repairer r = Repairer.builder(f.grid()).freshPostCheck(false).build()) {
      RepairResult result = r.repair(f.verifyCap());
      assertFalse(result.successful());
      assertTrue(result.written().stream().noneMatch(p -> p.shareNumber().value() == 2), result.written().toString());
      assertTrue(result.problems().stream().anyMatch(p -> p.contains("did not verify") && p.contains("differs from the block written")),
          result.problems().toString());
      assertFalse(result.post().healthy());
    }
  }

  @Test
  void parallelAndSequentialRebuildsWriteTheSameShares() throws Exception {
    byte[] data = new byte[1_500_000];
    new Random(9).nextBytes(data);
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], data);
    Map<Integer, byte[]> original = f.shareBytes();
    for (int lanes : new int[] {1, 2, 5}) {
      for (int sh = 0; sh < 7; sh++) {
        f.delete(sh);
      }
      try (Repairer r = Repairer.builder(f.grid()).rebuildParallelism(lanes).build()) {
        RepairResult result = r.repair(f.verifyCap());
        assertTrue(result.successful(), result.problems().toString());
        assertEquals(7, result.written().size());
      }
      Map<Integer, byte[]> now = f.shareBytes();
      for (int sh = 0; sh < 10; sh++) {
        assertArrayEquals(original.get(sh), now.get(sh), "share " + sh + " with " + lanes + " lanes");
      }
    }
  }

  /**
   * Right after the pre-repair check verified share 4, its server starts serving a flipped byte
   * in segment 2's block.
   */
  private static RepairListener flipShare4AfterCheck(Fixture f, MemoryStorageServer holder) {
    return new RepairListener() {
      @Override
      public void checked(CheckResult result, long nanos) {
        holder.faults().corruptReads(f.si(), ShareNumber.of(4), 0x24 + 2 * 43691 + 5, 0x08);
      }
    };
  }

  @Test
  void aSourceThatChangesAfterThePreCheckIsCaughtAndTheRebuildRedoneCarefully() throws Exception {
    byte[] data = new byte[700_000];
    new Random(3).nextBytes(data);
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], data);
    Map<Integer, byte[]> original = f.shareBytes();
    for (int sh = 0; sh < 4; sh++) {
      f.delete(sh);
    }
    MemoryStorageServer flaky = f.holder(4);
    // The trusting rebuild fails its final check, the careful one drops share 4 and rebuilds
    // from the other survivors.
    try (Repairer r = Repairer.builder(f.grid()).listener(flipShare4AfterCheck(f, flaky))
        .freshPostCheck(false).build()) {
      RepairResult result = r.repair(f.verifyCap());
      assertEquals(4, result.written().size(), result.problems().toString());
    }
    flaky.faults().clear();
    Map<Integer, byte[]> now = f.shareBytes();
    for (int sh = 0; sh < 10; sh++) {
      assertArrayEquals(original.get(sh), now.get(sh), "share " + sh);
    }
  }

  @Test
  void aServerRefusingAllocationIsReportedOnceWhenTheRebuildIsRedone() throws Exception {
    byte[] data = new byte[700_000];
    new Random(4).nextBytes(data);
    Fixture f = upload(10, EncodingParameters.DEFAULT, new byte[32], data);
    MemoryStorageServer refusing = f.holder(0); // lost share 0, so the plan puts it back there
    for (int sh = 0; sh < 4; sh++) {
      f.delete(sh);
    }
    MemoryStorageServer flaky = f.holder(4);
    refusing.faults().failAlways(org.lafsrepair.spi.memory.Faults.Op.ALLOCATE);
    try (Repairer r = Repairer.builder(f.grid()).listener(flipShare4AfterCheck(f, flaky))
        .freshPostCheck(false).build()) {
      RepairResult result = r.repair(f.verifyCap());
      long refusals = result.problems().stream().filter(p -> p.startsWith("cannot allocate")).count();
      assertEquals(1, refusals, result.problems().toString());
      assertEquals(3, result.written().size(), result.problems().toString());
    } finally {
      flaky.faults().clear();
      refusing.faults().clear();
    }
  }
}
