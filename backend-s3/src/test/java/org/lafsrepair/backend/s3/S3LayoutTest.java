package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

class S3LayoutTest {
  @Test
  void keysMirrorTahoesStorageDirectory() {
    StorageIndex si = StorageIndex.parse("gwoudoxxrl7a3yn346xcrqcfbq");
    S3Layout l = new S3Layout("/grid/node1/");
    assertEquals("grid/node1/shares/gw/gwoudoxxrl7a3yn346xcrqcfbq/7", l.shareKey(si, ShareNumber.of(7)));
    assertEquals("grid/node1/shares/gw/gwoudoxxrl7a3yn346xcrqcfbq/slot", l.slotKey(si));
    assertEquals("grid/node1/node-id", l.nodeIdKey());
    assertEquals("shares/gw/gwoudoxxrl7a3yn346xcrqcfbq/", new S3Layout("").bucketPrefix(si));
    assertThrows(IllegalArgumentException.class, () -> new S3Layout("a//b"));
  }

  @Property(tries = 300)
  void shareNamesRoundTripAndNothingElseParses(@ForAll String name) {
    var parsed = S3Layout.parseShareName(name);
    parsed.ifPresent(sh -> assertEquals(Integer.toString(sh.value()), name));
    if (name.matches("0|[1-9][0-9]{0,2}") && Integer.parseInt(name) <= 255) {
      assertTrue(parsed.isPresent());
    }
  }

  @Property(tries = 300)
  void slotRecordsRejectEveryWrongSize(@ForAll byte[] garbage) {
    if (garbage.length != SlotRecord.LENGTH) {
      assertThrows(org.lafsrepair.spi.CorruptContainerException.class, () -> SlotRecord.parse(garbage, "t"));
    }
  }
}
