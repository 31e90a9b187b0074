package org.lafsrepair.mutable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.lafsrepair.spi.WriteEnabler;

/** Servers holding hostile bytes never break the server map, download or repair. */
class MutableServerMapProperties {
  @Property(tries = 60)
  void garbageSharesAreReportedBadAndNeverCounted(
      @ForAll @IntRange(min = 0, max = 2) int which,
      @ForAll @Size(min = 1, max = 3000) byte[] garbage,
      @ForAll @IntRange(min = 0, max = 1) int version,
      @ForAll @IntRange(min = 0, max = 9) int shnum,
      @ForAll @IntRange(min = 0, max = 4000) int keep) throws Exception {
    MutableCorpus.Case c = MutableCorpus.cases().get(which);
    CorpusGrid grid = new CorpusGrid(c).load(c.current());
    // Either pure garbage with a valid version byte, or a real share's head with garbage after.
    byte[] real = c.current().shares().get(shnum).data();
    byte[] bad = keep % 2 == 0 ? garbage.clone()
        : concat(Arrays.copyOf(real, Math.min(keep, real.length)), garbage);
    bad[0] = (byte) version;
    var holder = grid.holderOf(shnum);
    MutableCorpus.Share s = c.current().shares().get(shnum);
    CorpusGrid.put(holder, c.si(), shnum, bad,
        WriteEnabler.of(Arrays.copyOfRange(s.container(), 52, 84)));
    // Bytes after a share's EOF offset are legitimately stale junk (tahoe-formats.md §7.3).
    boolean identical = bad.length >= real.length
        && Arrays.equals(Arrays.copyOf(bad, real.length), real);
    MutableServerMap map = MutableServerMap.build(CorpusGrid.verifyKeys(c), grid.servers,
        MutableServerMap.Mode.VERIFY);
    assertEquals(identical ? 0 : 1, map.badShares().size(), map.records().toString());
    assertEquals(identical, map.healthy());
    assertEquals(1, map.versions().size());
    assertTrue(map.recoverable());
    MutableRepairResult r = MutableRepairEngine.builder().build()
        .repair(CorpusGrid.writeKeys(c), grid.servers);
    assertTrue(r.successful(), r.problems().toString());
    assertFalse(r.current().multipleHeads());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
