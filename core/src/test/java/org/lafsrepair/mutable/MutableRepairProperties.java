package org.lafsrepair.mutable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.WriteEnabler;

/** Random damage never makes repair produce a file that reads differently. */
class MutableRepairProperties {
  enum Op { DELETE, FLIP, TRUNCATE, ROLLBACK }

  record Damage(Op op, int shnum, int position, int mask) {}

  @Provide
  Arbitrary<Damage> damage() {
    return Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers().between(0, 9),
        Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(1, 255))
        .as(Damage::new);
  }

  @Property(tries = 25)
  void repairNeverChangesWhatTheFileReads(
      @ForAll @IntRange(min = 0, max = 2) int which,
      @ForAll @Size(min = 1, max = 8) List<@net.jqwik.api.From("damage") Damage> damages,
      @ForAll boolean withWriteCap) throws Exception {
    MutableCorpus.Case c = MutableCorpus.cases().get(which);
    CorpusGrid grid = new CorpusGrid(c, MutableShareIntegrityCheck.instance()).load(c.current());
    Set<Integer> touched = new HashSet<>();
    for (Damage d : damages) {
      MutableCorpus.Share s = c.current().shares().get(d.shnum());
      var server = grid.holderOf(d.shnum());
      ShareNumber sh = ShareNumber.of(d.shnum());
      if (server.listShares(c.si()).isEmpty()) {
        continue;
      }
      touched.add(d.shnum());
      switch (d.op()) {
        case DELETE -> server.deleteShare(c.si(), sh, ShareKind.MUTABLE);
        case FLIP -> server.corruptStoredByte(c.si(), sh, d.position() % s.data().length, d.mask());
        case TRUNCATE -> server.truncateStored(c.si(), sh, d.position() % s.data().length);
        case ROLLBACK -> {
          if (c.versions().size() > 1) {
            MutableCorpus.Share old = c.versions().get(0).shares().get(d.shnum());
            CorpusGrid.put(server, c.si(), d.shnum(), old.data(),
                WriteEnabler.of(Arrays.copyOfRange(old.container(), 52, 84)));
          } else {
            server.deleteShare(c.si(), sh, ShareKind.MUTABLE);
          }
        }
      }
    }
    MutableFileKeys keys = withWriteCap ? CorpusGrid.writeKeys(c) : CorpusGrid.verifyKeys(c);
    MutableRepairResult r = MutableRepairEngine.builder().build().repair(keys, grid.servers);
    boolean currentRecoverable = c.n() - touched.size() >= c.k();
    if (currentRecoverable) {
      assertTrue(r.current().recoverable());
      assertEquals(c.current().seqnum(), r.current().best().orElseThrow().seqnum());
      assertArrayEquals(c.current().plaintext(),
          MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers));
      if (withWriteCap) {
        assertTrue(r.successful(), r.problems().toString());
      }
    }
    if (r.successful()) {
      assertArrayEquals(c.current().plaintext(),
          MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers));
    }
    if (r.current().recoverable()) {
      byte[] got = MutableDownloader.download(CorpusGrid.readKeys(c), grid.servers);
      assertTrue(c.versions().stream().anyMatch(v -> Arrays.equals(v.plaintext(), got)));
    }
  }
}
