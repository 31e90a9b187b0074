package org.lafsrepair.mutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.memory.MemoryStorageServer;

class MutableRepairTest {
  private static final MutableRepairEngine ENGINE = MutableRepairEngine.builder().build();

  static List<String> cases() {
    return MutableCorpus.cases().stream().map(MutableCorpus.Case::name).toList();
  }

  private static CorpusGrid fullCheckGrid(MutableCorpus.Case c) throws Exception {
    return new CorpusGrid(c, MutableShareIntegrityCheck.instance()).load(c.current());
  }

  /** Healthy, and every share number's data byte-identical to what Tahoe wrote for it. */
  static void assertRestored(MutableCorpus.Case c, MutableRepairResult r, List<? extends StorageServer> servers)
      throws Exception {
    assertTrue(r.successful(), r.problems() + " " + r.current().records());
    MutableServerMap post = r.current();
    assertEquals(c.current().seqnum(), post.best().orElseThrow().seqnum());
    assertEquals(c.n(), post.best().orElseThrow().goodShares().size());
    for (MutableCorpus.Share s : c.current().shares()) {
      for (var holder : post.best().orElseThrow().goodShares().get(ShareNumber.of(s.shnum()))) {
        StorageServer server = servers.stream().filter(x -> x.id().equals(holder)).findFirst()
            .orElseThrow();
        ByteBuffer b = server.read(c.si(), ShareNumber.of(s.shnum()), 0, s.data().length + 1000);
        byte[] got = new byte[b.remaining()];
        b.get(got);
        int eof = (int) MutableShare.parse(s.data()).offsets().eof();
        assertArrayEquals(Arrays.copyOf(s.data(), eof), Arrays.copyOf(got, Math.min(got.length, eof)),
            c.name() + " sh" + s.shnum());
        assertEquals(eof, got.length, "no stale tail after a repaired share");
      }
    }
    assertArrayEquals(c.current().plaintext(),
        MutableDownloader.download(CorpusGrid.readKeys(c), servers));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void deletingAnyNMinusKSharesIsRepairedWithTheVerifyCapAlone(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    Random random = new Random(name.hashCode());
    for (int round = 0; round < 12; round++) {
      CorpusGrid grid = fullCheckGrid(c);
      List<Integer> shnums = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
      Collections.shuffle(shnums, random);
      for (int sh : shnums.subList(0, c.n() - c.k())) {
        grid.holderOf(sh).deleteShare(c.si(), ShareNumber.of(sh), ShareKind.MUTABLE);
      }
      MutableRepairResult r = ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers);
      assertEquals(c.n() - c.k(), r.written().size());
      assertTrue(r.written().stream()
          .allMatch(p -> p.method() == MutableRepairResult.Method.PUBLISH_AUTHORITY));
      assertRestored(c, r, grid.servers);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void writeCapRepairUsesWriteEnablersOnPlainServers(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    List<StorageServer> plain = grid.servers.stream().map(s -> (StorageServer) new PlainServer(s)).toList();
    for (int sh : new int[] {0, 4, 7, 9}) {
      grid.holderOf(sh).deleteShare(c.si(), ShareNumber.of(sh), ShareKind.MUTABLE);
    }
    grid.holderOf(5).corruptStoredByte(c.si(), ShareNumber.of(5),
        MutableShare.parse(c.current().shares().get(5).data()).offsets().shareData() + 30, 0x08);
    MutableRepairResult r = ENGINE.repair(CorpusGrid.writeKeys(c), plain);
    assertTrue(r.written().stream().allMatch(p -> p.method() == MutableRepairResult.Method.WRITE_ENABLER));
    assertEquals(1, r.replaced().size());
    assertRestored(c, r, plain);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void verifyCapRepairWithoutPublishAuthorityChangesNothingAndSaysWhy(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    List<StorageServer> plain = grid.servers.stream().map(s -> (StorageServer) new PlainServer(s)).toList();
    grid.holderOf(3).deleteShare(c.si(), ShareNumber.of(3), ShareKind.MUTABLE);
    MutableRepairResult r = ENGINE.repair(CorpusGrid.verifyKeys(c), plain);
    assertFalse(r.successful());
    assertTrue(r.written().isEmpty());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("publish authority")), r.problems().toString());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void corruptionInEveryRegionIsRepairedByteForByte(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    MutableShareOffsets o = MutableShare.parse(c.current().shares().get(6).data()).offsets();
    List<Map.Entry<ShareRegion, Long>> at = new ArrayList<>();
    at.add(Map.entry(ShareRegion.HEADER, 60L + 8));
    at.add(Map.entry(ShareRegion.VERIFICATION_KEY, o.verificationKey() + 100));
    at.add(Map.entry(ShareRegion.SIGNATURE, o.signature() + 200));
    at.add(Map.entry(ShareRegion.SHARE_HASH_CHAIN, o.shareHashChain() + 40));
    at.add(Map.entry(ShareRegion.BLOCK_HASH_TREE, o.blockHashTree() + 1));
    at.add(Map.entry(ShareRegion.SHARE_DATA, o.shareData() + 3));
    at.add(Map.entry(ShareRegion.ENC_PRIVKEY, o.encPrivkey() + 3));
    if (c.format() == org.lafsrepair.cap.MutableFormat.MDMF) {
      at.add(Map.entry(ShareRegion.RESERVED_GAP, o.verificationKeyEnd() + 5));
      at.add(Map.entry(ShareRegion.SHARE_DATA, o.shareData() + 1)); // a salt
      at.add(Map.entry(ShareRegion.SHARE_DATA, o.blockHashTree() - 5)); // the tail block
    }
    for (Map.Entry<ShareRegion, Long> e : at) {
      // The encrypted private key is covered by no hash: only the writer can tell which copy
      // is right, so that region is repaired through the write cap.
      boolean needsWriteCap = e.getKey() == ShareRegion.ENC_PRIVKEY;
      CorpusGrid grid = fullCheckGrid(c);
      grid.holderOf(6).corruptStoredByte(c.si(), ShareNumber.of(6), e.getValue(), 0x10);
      MutableFileKeys keys = needsWriteCap ? CorpusGrid.writeKeys(c) : CorpusGrid.verifyKeys(c);
      MutableRepairResult r = ENGINE.repair(keys, grid.servers);
      assertEquals(1, r.replaced().size(), e.getKey() + " " + r.problems());
      assertRestored(c, r, grid.servers);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void signatureOnlyServersRefuseToOverwriteAValidlySignedShareAndRepairSaysSo(String name)
      throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = new CorpusGrid(c,
        org.lafsrepair.spi.authority.MutableShareIntegrity.signatureOnly()).load(c.current());
    long block = MutableShare.parse(c.current().shares().get(2).data()).offsets().shareData() + 17;
    grid.holderOf(2).corruptStoredByte(c.si(), ShareNumber.of(2), block, 0x01);
    MutableRepairResult r = ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers);
    assertFalse(r.successful());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("CONFLICT")), r.problems().toString());
    assertEquals(1, r.current().badShares().size());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void truncatedSharesAreRepaired(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = fullCheckGrid(c);
    grid.holderOf(1).truncateStored(c.si(), ShareNumber.of(1), 50);
    grid.holderOf(8).truncateStored(c.si(), ShareNumber.of(8), c.current().shares().get(8).data().length - 1);
    assertRestored(c, ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers), grid.servers);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void sharesRolledBackToAnOlderSeqnumAreBroughtForward(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    if (c.versions().size() < 2) {
      return;
    }
    for (boolean writeCap : new boolean[] {false, true}) {
      CorpusGrid grid = fullCheckGrid(c);
      for (int sh : new int[] {0, 3, 5, 9}) {
        MutableCorpus.Share old = c.versions().get(0).shares().get(sh);
        CorpusGrid.put(grid.server(old.serverIdB32()), c.si(), sh, old.data(),
            WriteEnabler.of(Arrays.copyOfRange(old.container(), 52, 84)));
      }
      MutableRepairResult r = ENGINE.repair(
          writeCap ? CorpusGrid.writeKeys(c) : CorpusGrid.verifyKeys(c), grid.servers);
      assertEquals(4, r.replaced().size());
      assertEquals(1, r.current().versions().size());
      assertRestored(c, r, grid.servers);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aNewerUnrecoverableVersionBlocksRepairUnlessForced(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    if (c.versions().size() < 2) {
      return;
    }
    CorpusGrid grid = new CorpusGrid(c, MutableShareIntegrityCheck.instance()).load(c.versions().get(0));
    for (int sh : new int[] {1, 2}) {
      MutableCorpus.Share s = c.current().shares().get(sh);
      CorpusGrid.put(grid.server(s.serverIdB32()), c.si(), sh, s.data(),
          WriteEnabler.of(Arrays.copyOfRange(s.container(), 52, 84)));
    }
    Map<String, byte[]> before = snapshot(c, grid.servers);
    MutableRepairResult refused = ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers);
    assertFalse(refused.attempted());
    assertTrue(refused.refusal().orElseThrow().contains("unrecoverable"));
    assertEquals(before.keySet(), snapshot(c, grid.servers).keySet());
    Map<String, byte[]> after = snapshot(c, grid.servers);
    before.forEach((k, v) -> assertArrayEquals(v, after.get(k)));

    MutableRepairResult forced = MutableRepairEngine.builder().force(true).build()
        .repair(CorpusGrid.verifyKeys(c), grid.servers);
    assertTrue(forced.attempted());
    MutableServerMap post = forced.current();
    assertEquals(c.n(), post.best().orElseThrow().goodShares().size());
    assertEquals(2, post.newerUnrecoverable().get(0).goodShares().size(),
        "forcing never overwrites the newer version's shares");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void multipleHeadsBlockRepairUnlessForced(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    RsaSigningKey key = RsaSigningKey.fromPkcs8(c.signingKeyPkcs8());
    byte[] other = "a competing write at the same seqnum".getBytes();
    MutablePublisher.EncodedVersion rival = MutablePublisher.encode(c.format(), key, c.k(), c.n(),
        c.current().seqnum(), other, i -> new byte[16]);
    CorpusGrid grid = fullCheckGrid(c);
    for (int sh : new int[] {0, 1, 2, 3}) {
      MutableCorpus.Share s = c.current().shares().get(sh);
      CorpusGrid.put(grid.server(s.serverIdB32()), c.si(), sh, rival.shares().get(sh),
          WriteEnabler.of(Arrays.copyOfRange(s.container(), 52, 84)));
    }
    MutableRepairResult r = ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers);
    assertTrue(r.pre().multipleHeads());
    assertFalse(r.attempted());
    assertTrue(r.refusal().orElseThrow().contains("multiple heads"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void anEvenSplitOnTheEncryptedPrivateKeyNeedsTheWriteCap(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = fullCheckGrid(c);
    grid.holderOf(0).deleteShare(c.si(), ShareNumber.of(0), ShareKind.MUTABLE);
    grid.holderOf(1).deleteShare(c.si(), ShareNumber.of(1), ShareKind.MUTABLE);
    for (int sh = 2; sh < 6; sh++) {
      long at = MutableShare.parse(c.current().shares().get(sh).data()).offsets().encPrivkey() + 9;
      grid.holderOf(sh).corruptStoredByte(c.si(), ShareNumber.of(sh), at, 0x22);
    }
    MutableRepairResult r = ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers);
    assertFalse(r.successful());
    assertTrue(r.written().isEmpty() && r.replaced().isEmpty());
    assertTrue(r.refusal().orElseThrow().contains("encrypted private key"), r.refusal().toString());
    assertRestored(c, ENGINE.repair(CorpusGrid.writeKeys(c), grid.servers), grid.servers);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void lyingAndFailingServersNeverGetBadDataWrittenAndAreReported(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    CorpusGrid grid = fullCheckGrid(c);
    long block = MutableShare.parse(c.current().shares().get(7).data()).offsets().shareData() + 40;
    grid.holderOf(7).faults().corruptReads(c.si(), ShareNumber.of(7), block, 0x04);
    grid.holderOf(8).faults().offline();
    grid.holderOf(9).faults().failAlways(org.lafsrepair.spi.memory.Faults.Op.READ);
    assertArrayEquals(c.current().plaintext(),
        MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers));
    MutableRepairResult r = ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers);
    // The lying server's stored share is intact: the identical share is offered and accepted as
    // already present, and the file still reads as unhealthy through the lie.
    assertFalse(r.successful());
    assertTrue(r.current().failures().containsKey(grid.holderOf(8).id()));
    grid.servers.forEach(s -> s.faults().clear());
    for (MemoryStorageServer s : grid.servers) {
      for (var info : s.listShares(c.si())) {
        byte[] stored = snapshot(c, List.of(s)).get(s.id().toBase32() + "/" + info.shareNumber());
        byte[] expected = c.current().shares().get(info.shareNumber().value()).data();
        assertArrayEquals(expected, stored, "every stored share is Tahoe's share for its number");
      }
    }
    assertTrue(MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.VERIFY).healthy());
  }

  @Test
  void dryRunPlansWithoutWriting() throws Exception {
    MutableCorpus.Case c = MutableCorpus.named("mdmf-k3n10-302146");
    CorpusGrid grid = fullCheckGrid(c);
    grid.holderOf(4).deleteShare(c.si(), ShareNumber.of(4), ShareKind.MUTABLE);
    MutableRepairResult r = MutableRepairEngine.builder().dryRun(true).build()
        .repair(CorpusGrid.verifyKeys(c), grid.servers);
    assertEquals(1, r.written().size());
    assertEquals(MutableRepairResult.Method.PLANNED, r.written().get(0).method());
    assertFalse(MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.CHECK).healthy());
  }

  @Test
  void healthyFileIsLeftAlone() throws Exception {
    MutableCorpus.Case c = MutableCorpus.named("sdmf-k3n10-seq2");
    CorpusGrid grid = fullCheckGrid(c);
    MutableRepairResult r = ENGINE.repair(CorpusGrid.verifyKeys(c), grid.servers);
    assertFalse(r.attempted());
    assertTrue(r.successful());
    assertTrue(r.refusal().isEmpty());
  }

  static Map<String, byte[]> snapshot(MutableCorpus.Case c, List<MemoryStorageServer> servers)
      throws Exception {
    Map<String, byte[]> out = new HashMap<>();
    for (MemoryStorageServer s : servers) {
      for (var info : s.listShares(c.si())) {
        ByteBuffer b = s.read(c.si(), info.shareNumber(), 0, StorageServer.MAX_READ_LENGTH);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        out.put(s.id().toBase32() + "/" + info.shareNumber(), bytes);
      }
    }
    return out;
  }
}
