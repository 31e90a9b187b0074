package org.lafsrepair.mutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.internal.crypto.RsaVerificationKey;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.TahoeCapVectors;

class MutablePublisherTest {
  static List<String> cases() {
    return MutableCorpus.cases().stream().map(MutableCorpus.Case::name).toList();
  }

  private static List<MemoryStorageServer> servers(int count) {
    List<MemoryStorageServer> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(MemoryStorageServer.builder()
          .shareIntegrity(MutableShareIntegrityCheck.instance()).build());
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void reEncodingACorpusVersionWithItsKeyAndSaltsGivesTahoesBytes(String name) throws Exception {
    MutableCorpus.Case c = MutableCorpus.named(name);
    RsaSigningKey key = RsaSigningKey.fromPkcs8(c.signingKeyPkcs8());
    for (MutableCorpus.Version v : c.versions()) {
      MutableShare sh0 = MutableShare.parse(v.shares().get(0).data());
      ShareSource src = ShareSource.of(v.shares().get(0).data());
      List<byte[]> salts = new ArrayList<>();
      for (int i = 0; i < sh0.prefix().numSegments(); i++) {
        salts.add(sh0.readSegment(src, i).salt());
      }
      byte[] iv = sh0.prefix().iv().orElse(null);
      MutablePublisher.EncodedVersion mine = MutablePublisher.encode(c.format(), key, c.k(), c.n(),
          v.seqnum(), v.plaintext(), i -> iv != null ? iv : salts.get(i));
      assertEquals(sh0.prefix(), mine.prefix());
      for (MutableCorpus.Share s : v.shares()) {
        byte[] ours = mine.shares().get(s.shnum());
        MutableShareOffsets o = MutableShare.parse(ours).offsets();
        assertEquals(MutableShare.parse(s.data()).offsets(), o);
        // RSA-PSS is randomised: everything but the 256 signature bytes must be identical,
        // and our signature must verify.
        byte[] theirs = Arrays.copyOf(s.data(), ours.length);
        int sig = (int) o.signature();
        assertArrayEquals(Arrays.copyOfRange(theirs, 0, sig), Arrays.copyOfRange(ours, 0, sig));
        assertArrayEquals(Arrays.copyOfRange(theirs, sig + 256, theirs.length),
            Arrays.copyOfRange(ours, sig + 256, ours.length), c.name() + " sh" + s.shnum());
        assertTrue(RsaVerificationKey.fromSpki(c.verificationKeySpki())
            .verify(mine.prefix().toBytes(), Arrays.copyOfRange(ours, sig, sig + 256)));
      }
    }
  }

  @Test
  void publisherCapsReproduceSskAndMdmfVectors() throws Exception {
    // Cap derivation itself is tested on all 240 SSK vectors in the cap package; here every
    // tenth goes through the whole publisher (both formats, every length) to keep this quick.
    int checked = 0;
    List<TahoeCapVectors.Vector> ssk =
        TahoeCapVectors.all().stream().filter(x -> !x.isChk()).toList();
    assertEquals(240, ssk.size());
    for (int i = 0; i < ssk.size(); i += 10) {
      TahoeCapVectors.Vector v = ssk.get(i);
      MutableFormat format = v.mutableFormat().equals("sdmf") ? MutableFormat.SDMF : MutableFormat.MDMF;
      // An SSK cap depends only on the key (README §1), so a prefix of the plaintext suffices;
      // the whole-file round trip at these parameters is the next test.
      byte[] plaintext = Arrays.copyOf(v.plaintext(), Math.min(v.length(), 2048));
      List<MemoryStorageServer> grid = servers(3);
      MutableWriteCap cap = MutablePublisher.builder().encoding(v.k(), v.n()).build()
          .create(format, RsaSigningKey.fromPem(v.pemKey()), plaintext, grid);
      assertEquals(v.expected(), cap.format(), v.toString());
      checked++;
    }
    assertEquals(24, checked);
  }

  @Test
  void largeMdmfVectorRoundTripsAt101Of255() throws Exception {
    TahoeCapVectors.Vector v = TahoeCapVectors.all().stream()
        .filter(x -> !x.isChk() && x.mutableFormat().equals("mdmf") && x.length() == 2097153)
        .findFirst().orElseThrow();
    List<MemoryStorageServer> grid = servers(12);
    MutableWriteCap cap = MutablePublisher.builder().encoding(v.k(), v.n()).build()
        .create(MutableFormat.MDMF, RsaSigningKey.fromPem(v.pemKey()), v.plaintext(), grid);
    assertEquals(v.expected(), cap.format());
    MutableServerMap map = MutableServerMap.build(MutableFileKeys.of(cap), grid,
        MutableServerMap.Mode.VERIFY);
    assertTrue(map.healthy());
    assertEquals(17, map.best().orElseThrow().prefix().numSegments());
    assertArrayEquals(v.plaintext(), MutableDownloader.download(MutableFileKeys.of(cap), grid));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(MutableFormat.class)
  void newVersionsGetTheNextSeqnumAndReplaceEveryShare(MutableFormat format) throws Exception {
    List<MemoryStorageServer> grid = servers(10);
    MutablePublisher publisher = MutablePublisher.builder().build();
    byte[] v1 = "first version".getBytes();
    MutableWriteCap cap = publisher.create(format, null, v1, grid);
    MutableFileKeys keys = MutableFileKeys.of(cap);
    assertArrayEquals(v1, MutableDownloader.download(keys, grid));
    byte[] v2 = new byte[300_001];
    new java.util.Random(1).nextBytes(v2);
    SignedPrefix p2 = publisher.publish(cap, v2, grid);
    assertEquals(2, p2.seqnum());
    assertArrayEquals(v2, MutableDownloader.download(keys, grid));
    MutableServerMap map = MutableServerMap.build(keys, grid, MutableServerMap.Mode.VERIFY);
    assertTrue(map.healthy(), map.records().toString());
    assertEquals(1, map.versions().size());
    byte[] empty = new byte[0];
    assertEquals(3, publisher.publish(cap, empty, grid).seqnum());
    assertArrayEquals(empty, MutableDownloader.download(keys, grid));
    assertTrue(MutableServerMap.build(keys, grid, MutableServerMap.Mode.VERIFY).healthy());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(MutableFormat.class)
  void writerTakesBackSlotsARepairerCreatedByRebinding(MutableFormat format) throws Exception {
    List<MemoryStorageServer> grid = servers(10);
    MutablePublisher publisher = MutablePublisher.builder().build();
    MutableWriteCap cap = publisher.create(format, null, new byte[5000], grid);
    MutableFileKeys keys = MutableFileKeys.of(cap);
    // Lose three servers' shares; a verify-cap repair re-creates them in fresh, unbound slots.
    for (MemoryStorageServer s : grid.subList(0, 10)) {
      for (var info : s.listShares(keys.storageIndex())) {
        if (info.shareNumber().value() < 3) {
          s.deleteShare(keys.storageIndex(), info.shareNumber(), ShareKind.MUTABLE);
        }
      }
    }
    MutableRepairResult r = MutableRepairEngine.builder().build().repair(keys.toVerify(), grid);
    assertTrue(r.successful(), r.problems().toString());
    byte[] v2 = "after the repair".getBytes();
    assertEquals(2, publisher.publish(cap, v2, grid).seqnum());
    assertArrayEquals(v2, MutableDownloader.download(keys, grid));
    assertTrue(MutableServerMap.build(keys, grid, MutableServerMap.Mode.VERIFY).healthy());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(MutableFormat.class)
  void emptyFilesPublishVerifyAndRepair(MutableFormat format) throws Exception {
    List<MemoryStorageServer> grid = servers(10);
    MutableWriteCap cap = MutablePublisher.builder().build().create(format, null, new byte[0], grid);
    MutableFileKeys keys = MutableFileKeys.of(cap);
    assertEquals(0, MutableDownloader.download(keys, grid).length);
    for (MemoryStorageServer s : grid.subList(0, 4)) {
      for (var info : s.listShares(keys.storageIndex())) {
        s.deleteShare(keys.storageIndex(), info.shareNumber(), ShareKind.MUTABLE);
      }
    }
    MutableRepairResult r = MutableRepairEngine.builder().build().repair(keys.toVerify(), grid);
    assertTrue(r.successful(), r.problems().toString());
    assertEquals(0, r.current().best().orElseThrow().prefix().numSegments());
  }

  @Test
  void publishToPlainTahoeLikeServersUsesWriteEnablersOnly() throws Exception {
    List<StorageServer> grid = new ArrayList<>();
    for (MemoryStorageServer s : servers(5)) {
      grid.add(new PlainServer(s));
    }
    MutablePublisher publisher = MutablePublisher.builder().build();
    MutableWriteCap cap = publisher.create(MutableFormat.MDMF, null, new byte[200_000], grid);
    publisher.publish(cap, new byte[10], grid);
    MutableServerMap map = MutableServerMap.build(MutableFileKeys.of(cap), grid,
        MutableServerMap.Mode.VERIFY);
    assertTrue(map.healthy());
    assertEquals(10, map.best().orElseThrow().prefix().dataLength());
    assertEquals(ShareNumber.of(0), map.best().orElseThrow().goodShares().firstKey());
  }
}
