package org.lafsrepair.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.client.Downloader;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.MemoryGrids;

/**
 * Random damage (deletions, flipped bytes, truncations, duplicated shares, dead servers) on
 * generated files: whenever k good shares survive on live servers, repair ends healthy and the
 * file reads back intact; a good share is never removed unless another verified copy of it exists.
 */
class RandomDamagePropertyTest {
  @Property(tries = 40)
  void repairEndsHealthyWheneverEnoughGoodSharesSurvive(
      @ForAll @IntRange(min = 56, max = 400_000) int size,
      @ForAll @IntRange(min = 1, max = 4) int k,
      @ForAll @IntRange(min = 0, max = 5) int extra,
      @ForAll long seed) throws Exception {
    int n = Math.min(10, k + 1 + extra);
    Random rnd = new Random(seed);
    List<MemoryStorageServer> servers = MemoryGrids.servers(n + 2);
    Grid grid = MemoryGrids.grid(servers, new EncodingParameters(k, n, Math.min(n, k + 1), 131072), new byte[32]);
    byte[] data = new byte[size];
    rnd.nextBytes(data);
    Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of(data));
    StorageIndex si = cap.storageIndex().orElseThrow();

    MemoryStorageServer dead = null;
    int ops = rnd.nextInt(n + 2);
    for (int i = 0; i < ops; i++) {
      MemoryStorageServer s = servers.get(rnd.nextInt(servers.size()));
      List<ShareInfo> held = s.listShares(si);
      if (held.isEmpty()) {
        continue;
      }
      ShareInfo info = held.get(rnd.nextInt(held.size()));
      ShareNumber sh = info.shareNumber();
      switch (rnd.nextInt(5)) {
        case 0 -> {
          s.deleteShare(si, sh, ShareKind.IMMUTABLE);
        }
        case 1 -> {
          s.corruptStoredByte(si, sh, rnd.nextInt((int) info.dataLength()), 1 + rnd.nextInt(255));
        }
        case 2 -> {
          s.truncateStored(si, sh, rnd.nextInt((int) info.dataLength()));
        }
        case 3 -> { // duplicate onto another server
          MemoryStorageServer other = servers.get(rnd.nextInt(servers.size()));
          if (other != s && other.listShares(si).stream().noneMatch(x -> x.shareNumber().equals(sh))) {
            ByteBuffer b = s.read(si, sh, 0, (int) info.dataLength());
            try (var up = other.allocate(si, sh, info.dataLength(), org.lafsrepair.spi.LeaseSecrets.random())) {
              up.write(0, b);
              up.commit();
            }
          }
        }
        default -> {
          if (dead == null) {
            dead = s;
          }
        }
      }
    }
    if (dead != null) {
      dead.faults().offline();
    }
    // Ground truth: good copies on live servers, by share number.
    Map<Integer, Integer> goodCopies = new HashMap<>();
    try (Repairer r = Repairer.builder(grid).build()) {
      CheckResult pre = r.checker().check(cap, true);
      pre.sharemap().forEach((sh, hosts) -> goodCopies.put(sh.value(), hosts.size()));
      boolean enough = pre.sharemap().size() >= k;
      assertEquals(enough, pre.recoverable());
      RepairResult result = r.repair(cap);
      if (!enough) {
        assertFalse(result.attempted(), "unrecoverable: nothing changes");
        return;
      }
      assertTrue(result.successful(), "repair healthy: " + result.problems() + " pre " + pre.summary());
      assertEquals(n, result.post().goodShares());
      // Every share that had a good copy still has one, and removals only hit redundant copies.
      for (Map.Entry<Integer, Integer> e : goodCopies.entrySet()) {
        assertTrue(result.post().sharemap().containsKey(ShareNumber.of(e.getKey())), "share " + e.getKey() + " kept");
      }
    }
    if (dead != null) {
      dead.faults().online();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Downloader(grid).download(cap, out);
    assertArrayEquals(data, out.toByteArray());
  }
}
