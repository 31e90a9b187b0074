package org.lafsrepair.mutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lafsrepair.internal.share.ShareSource;

class MutableShareFormatTest {
  @Test
  void everyCorpusShareParsesToTheManifestsFieldsAndReserialisesByteForByte() throws Exception {
    int shares = 0;
    for (MutableCorpus.Case c : MutableCorpus.cases()) {
      for (MutableCorpus.Version v : c.versions()) {
        for (MutableCorpus.Share s : v.shares()) {
          MutableShare share = MutableShare.parse(s.data());
          SignedPrefix p = share.prefix();
          assertEquals(c.format(), p.format(), c.name());
          assertEquals(v.seqnum(), p.seqnum());
          assertArrayEquals(v.rootHash(), p.rootHash());
          assertEquals(c.k(), p.k());
          assertEquals(c.n(), p.n());
          assertEquals(v.plaintext().length, p.dataLength());
          assertArrayEquals(c.verificationKeySpki(), share.verificationKey());
          assertEquals(256, share.signature().length);
          assertEquals(List.of(2, 4, 8, 16).size(), share.shareHashChain().size());
          assertTrue(share.reservedGapZero());
          List<SaltedBlock> blocks = new ArrayList<>();
          ShareSource src = ShareSource.of(s.data());
          for (int i = 0; i < p.numSegments(); i++) {
            blocks.add(share.readSegment(src, i));
          }
          MutableShare rebuilt = MutableShare.of(p, share.verificationKey(), share.signature(),
              share.shareHashChain(), share.blockHashTree(), share.encPrivkey());
          assertEquals(share.offsets(), rebuilt.offsets());
          byte[] eofBytes = Arrays.copyOf(s.data(), (int) share.offsets().eof());
          assertArrayEquals(eofBytes, rebuilt.toBytes(blocks), c.name() + " sh" + s.shnum());
          shares++;
        }
      }
    }
    assertEquals(50, shares);
  }

  @Test
  void sdmfChainHoldsTheSiblingsOfTheLeafInAscendingOrder() throws Exception {
    MutableCorpus.Share sh0 = MutableCorpus.named("sdmf-k3n10-seq2").current().shares().get(0);
    assertEquals(List.of(2, 4, 8, 16),
        new ArrayList<>(MutableShare.parse(sh0.data()).shareHashChain().keySet()));
  }

  @Test
  void mdmfTableMatchesTahoeDumpShare() throws Exception {
    MutableCorpus.Share sh0 = MutableCorpus.named("mdmf-k3n10-302146").current().shares().get(0);
    MutableShare share = MutableShare.parse(sh0.data());
    assertEquals(new MutableShareOffsets(1732, 2026, 1476, 1340, 102931, 2167, 123, 103155),
        share.offsets());
    assertEquals(7, share.blockHashTree().size());
    assertEquals(3, share.prefix().numSegments());
    assertEquals(13334, share.prefix().blockLength(2));
  }

  @Test
  void unknownVersionIsReportedAsSuch() {
    byte[] data = MutableCorpus.named("sdmf-k3n10-seq2").current().shares().get(0).data().clone();
    data[0] = 7;
    CorruptMutableShareException e =
        assertThrows(CorruptMutableShareException.class, () -> MutableShare.parse(data));
    assertEquals(ShareRegion.VERSION, e.region());
  }

  @Test
  void truncatedShareIsReportedAsTruncated() {
    for (MutableCorpus.Case c : MutableCorpus.cases()) {
      byte[] data = c.current().shares().get(1).data();
      // MDMF keeps its block tree at the end; SDMF its encrypted private key.
      byte[] cut = Arrays.copyOf(data, data.length - 1);
      CorruptMutableShareException e =
          assertThrows(CorruptMutableShareException.class, () -> MutableShare.parse(cut));
      assertEquals(ShareRegion.TRUNCATED, e.region(), c.name());
    }
  }

  @Test
  void prefixRejectsInconsistentParameters() {
    byte[] root = new byte[32];
    assertThrows(IllegalArgumentException.class, () -> SignedPrefix.mdmf(1, root, 0, 10, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> SignedPrefix.mdmf(1, root, 3, 2, 3, 3));
    assertThrows(IllegalArgumentException.class, () -> SignedPrefix.mdmf(1, root, 3, 10, 4, 4));
    assertThrows(IllegalArgumentException.class,
        () -> SignedPrefix.sdmf(1, root, new byte[16], 3, 10, 3, 4));
    assertThrows(IllegalArgumentException.class, () -> SignedPrefix.mdmf(1, root, 1, 1, 1, 1L << 40));
  }

  @Test
  void emptyFilesHaveNoSegmentsAndAOneNodeTree() throws Exception {
    SignedPrefix p = SignedPrefix.mdmf(1, new byte[32], 3, 10, 131073, 0);
    assertEquals(0, p.numSegments());
    assertEquals(0, p.shareDataLength());
    MutableShare s = MutableShare.of(p, new byte[294], new byte[256],
        chain(10), List.of(new byte[32]), new byte[1217]);
    byte[] bytes = s.toBytes(List.of());
    assertEquals(2167 + 32, bytes.length);
    assertEquals(s.offsets(), MutableShare.parse(bytes).offsets());
  }

  static java.util.Map<Integer, byte[]> chain(int n) {
    java.util.Map<Integer, byte[]> m = new java.util.TreeMap<>();
    int entries = MutableShare.chainEntries(n);
    for (int i = 0; i < entries; i++) {
      m.put(2 << i, new byte[32]);
    }
    return m;
  }
}
