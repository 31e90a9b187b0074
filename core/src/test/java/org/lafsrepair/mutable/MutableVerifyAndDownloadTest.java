package org.lafsrepair.mutable;

import org.lafsrepair.cap.MutableFormat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;

class MutableVerifyAndDownloadTest {
  static List<String> cases() {
    return MutableCorpus.cases().stream().map(MutableCorpus.Case::name).toList();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void everyCorpusVersionVerifiesHealthyAndDownloadsToItsPlaintext(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    for (MutableCorpus.Version v : c.versions()) {
      CorpusGrid grid = new CorpusGrid(c).load(v);
      MutableServerMap map = MutableServerMap.build(CorpusGrid.writeKeys(c), grid.servers,
          MutableServerMap.Mode.VERIFY);
      assertTrue(map.healthy(), map.records().toString());
      assertEquals(v.seqnum(), map.best().orElseThrow().seqnum());
      assertArrayEquals(v.rootHash(), map.best().orElseThrow().rootHash());
      assertArrayEquals(v.plaintext(), MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers));
      assertArrayEquals(v.plaintext(), MutableDownloader.download(CorpusGrid.writeKeys(c), grid.servers));
      MutableServerMap byVerifyCap = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
          MutableServerMap.Mode.VERIFY);
      assertTrue(byVerifyCap.healthy());
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void concurrentQueriesGiveTheSameMapAndFailingServersAreReported(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    grid.servers.get(3).faults().failAlways(org.lafsrepair.spi.memory.Faults.Op.LIST);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      MutableServerMap seq = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
          MutableServerMap.Mode.VERIFY);
      MutableServerMap par = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
          MutableServerMap.Mode.VERIFY, pool);
      assertEquals(seq.checkResults(), par.checkResults());
      assertEquals(9, par.responding().size());
      assertEquals(java.util.Set.of(grid.servers.get(3).id()), par.failures().keySet());
      assertEquals(9, par.best().orElseThrow().goodShares().size());
    } finally {
      pool.shutdown();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void serversTheQueryStrategyLeavesUnansweredCountAsNotResponding(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    org.lafsrepair.spi.StorageServer silent = grid.servers.get(2);
    ServerQueries dropOne = new ServerQueries() {
      @Override
      public <T> java.util.List<T> run(java.util.List<? extends org.lafsrepair.spi.StorageServer> servers,
          java.util.List<java.util.function.Supplier<T>> queries, java.time.Duration timeout) {
        java.util.List<T> out = new java.util.ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
          out.add(servers.get(i) == silent ? null : queries.get(i).get());
        }
        return out;
      }
    };
    MutableServerMap map = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.VERIFY, dropOne, java.time.Duration.ofSeconds(3));
    assertEquals("no answer within 3000 ms", map.failures().get(silent.id()));
    assertEquals(9, map.responding().size());
    ServerQueries interrupted = new ServerQueries() {
      @Override
      public <T> java.util.List<T> run(java.util.List<? extends org.lafsrepair.spi.StorageServer> servers,
          java.util.List<java.util.function.Supplier<T>> queries, java.time.Duration timeout)
          throws InterruptedException {
        throw new InterruptedException();
      }
    };
    MutableServerMap cut = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.VERIFY, interrupted, java.time.Duration.ofSeconds(3));
    assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
    assertEquals(0, cut.responding().size());
    assertEquals("interrupted while waiting for the answer", cut.failures().get(silent.id()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void checkResultsAgreeWithTahoesCheckerOnEveryVersion(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    for (MutableCorpus.Version v : c.versions()) {
      CorpusGrid grid = new CorpusGrid(c).load(v);
      Map<String, Object> r = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
          MutableServerMap.Mode.VERIFY).checkResults();
      var t = v.tahoeCheck();
      assertEquals(t.get("healthy").asBoolean(), r.get("healthy"));
      assertEquals(t.get("recoverable").asBoolean(), r.get("recoverable"));
      assertEquals(t.get("count_happiness").asInt(), r.get("count-happiness"));
      assertEquals(t.get("count_shares_good").asInt(), r.get("count-shares-good"));
      assertEquals(t.get("count_shares_needed").asInt(), r.get("count-shares-needed"));
      assertEquals(t.get("count_shares_expected").asInt(), r.get("count-shares-expected"));
      assertEquals(t.get("count_good_share_hosts").asInt(), r.get("count-good-share-hosts"));
      assertEquals(t.get("count_wrong_shares").asLong(), r.get("count-wrong-shares"));
      assertEquals(t.get("count_recoverable_versions").asInt(), r.get("count-recoverable-versions"));
      assertEquals(t.get("count_unrecoverable_versions").asInt(),
          r.get("count-unrecoverable-versions"));
      assertEquals(t.get("corrupt_shares").size(), r.get("count-corrupt-shares"));
      String shortName = t.get("good_shnums_by_version").fieldNames().next();
      assertEquals(shortName, MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
          MutableServerMap.Mode.CHECK).best().orElseThrow().shortName());
      // Tahoe's sharemap keys are "<version>-sh<n>" → [server index]; ours "<n>" → [server id].
      Map<?, ?> sharemap = (Map<?, ?>) r.get("sharemap");
      t.get("sharemap").fields().forEachRemaining(e -> {
        String sh = e.getKey().substring(e.getKey().lastIndexOf("-sh") + 3);
        String expected = c.serverIds().get(e.getValue().get(0).asInt());
        assertEquals(List.of(expected), sharemap.get(sh));
      });
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void checkResultsHaveTheCliShapeAndMatchTahoesCounts(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    Map<String, Object> r = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.CHECK).checkResults();
    assertEquals(true, r.get("healthy"));
    assertEquals(10, r.get("count-shares-good"));
    assertEquals(3, r.get("count-shares-needed"));
    assertEquals(10, r.get("count-shares-expected"));
    assertEquals(10, r.get("count-happiness"));
    assertEquals(c.current().seqnum(), r.get("seqnum"));
    assertEquals(1, ((List<?>) r.get("versions")).size());
    assertEquals(10, ((Map<?, ?>) r.get("sharemap")).size());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void corruptionInEachRegionIsFoundAndNamed(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    MutableCorpus.Share victim = c.current().shares().get(4);
    MutableShare parsed = MutableShare.parse(victim.data());
    MutableShareOffsets o = parsed.offsets();
    Map<ShareRegion, Long> regions = new java.util.LinkedHashMap<>();
    regions.put(ShareRegion.VERIFICATION_KEY, o.verificationKey() + 40);
    regions.put(ShareRegion.SIGNATURE, o.signature() + 7);
    regions.put(ShareRegion.SHARE_HASH_CHAIN, o.shareHashChain() + 5);
    regions.put(ShareRegion.BLOCK_HASH_TREE, o.blockHashTree() + 3);
    regions.put(ShareRegion.SHARE_DATA, o.shareData() + (c.format() == MutableFormat.MDMF ? 20 : 3));
    regions.put(ShareRegion.ENC_PRIVKEY, o.encPrivkey() + 100);
    if (c.format() == MutableFormat.MDMF) {
      regions.put(ShareRegion.RESERVED_GAP, o.verificationKeyEnd() + 1);
    }
    for (Map.Entry<ShareRegion, Long> e : regions.entrySet()) {
      CorpusGrid grid = new CorpusGrid(c).load(c.current());
      grid.holderOf(4).corruptStoredByte(c.si(), ShareNumber.of(4), e.getValue(), 0x40);
      MutableServerMap map = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
          MutableServerMap.Mode.VERIFY);
      assertFalse(map.healthy());
      assertEquals(1, map.badShares().size(), e.getKey() + ": " + map.records());
      MutableServerMap.ShareRecord bad = map.badShares().get(0);
      assertEquals(4, bad.shareNumber().value());
      assertEquals(e.getKey(), bad.verdict().region(), bad.verdict().detail());
      assertTrue(map.recoverable());
      assertArrayEquals(c.current().plaintext(),
          MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers), e.getKey().toString());
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void mdmfSaltFlipIsCaughtByTheLeafHash(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    if (c.format() != MutableFormat.MDMF) {
      return;
    }
    MutableCorpus.Share victim = c.current().shares().get(0);
    long salt = MutableShare.parse(victim.data()).offsets().shareData() + 2;
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    grid.holderOf(0).corruptStoredByte(c.si(), ShareNumber.of(0), salt, 0x01);
    MutableServerMap map = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.VERIFY);
    assertEquals(ShareRegion.SHARE_DATA, map.badShares().get(0).verdict().region());
    assertEquals(0, map.badShares().get(0).verdict().segment());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void truncatedShareIsCorruptAndTheFileStillDownloads(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    long len = c.current().shares().get(2).data().length;
    grid.holderOf(2).truncateStored(c.si(), ShareNumber.of(2), len - 10);
    MutableServerMap map = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.CHECK);
    assertEquals(ShareRegion.TRUNCATED, map.badShares().get(0).verdict().region());
    assertArrayEquals(c.current().plaintext(),
        MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void tooFewSharesIsUnrecoverable(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    for (int sh = 0; sh < 8; sh++) {
      grid.holderOf(sh).deleteShare(c.si(), ShareNumber.of(sh), ShareKind.MUTABLE);
    }
    MutableServerMap map = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.CHECK);
    assertFalse(map.recoverable());
    assertEquals(1, map.newerUnrecoverable().size());
    assertThrows(UnrecoverableVersionException.class,
        () -> MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void sharesOfAnOlderVersionAreSeenAsAnotherVersion(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    if (c.versions().size() < 2) {
      return;
    }
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    MutableCorpus.Share old = c.versions().get(0).shares().get(5);
    CorpusGrid.put(grid.server(old.serverIdB32()), c.si(), 5, old.data(),
        org.lafsrepair.spi.WriteEnabler.of(java.util.Arrays.copyOfRange(old.container(), 52, 84)));
    MutableServerMap map = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.VERIFY);
    assertEquals(2, map.versions().size());
    assertEquals(c.current().seqnum(), map.best().orElseThrow().seqnum());
    assertTrue(map.newerUnrecoverable().isEmpty());
    assertFalse(map.multipleHeads());
    assertFalse(map.healthy());
    assertEquals(1L, map.checkResults().get("count-wrong-shares"));
    assertArrayEquals(c.current().plaintext(),
        MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers));
  }
}
