package org.lafsrepair.spi.authority;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.lafsrepair.spi.MutableSharePublication;
import org.lafsrepair.spi.PublishRefusedException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

/** Hostile bytes offered to a server's publish-authority check are refused, never thrown. */
class SignedShareHeaderProperties {
  private static final SlotView EMPTY = new SlotView() {
    @Override
    public Set<ShareNumber> shares() {
      return Set.of();
    }

    @Override
    public ByteBuffer read(ShareNumber shnum, long offset, int length) {
      throw new IllegalStateException("no shares");
    }

    @Override
    public long length(ShareNumber shnum) {
      throw new IllegalStateException("no shares");
    }
  };

  @Property(tries = 300)
  void randomBytesAreRefusedAsMalformedOrUnsigned(
      @ForAll @Size(min = 1, max = 3000) byte[] data, @ForAll @IntRange(min = 0, max = 1) int version) {
    data[0] = (byte) version;
    SignedShareHeader.parse(ByteBuffer.wrap(data));
    PublishRefusedException e = assertThrows(PublishRefusedException.class,
        () -> PublishAuthority.decidePublish(
            new MutableSharePublication(StorageIndex.of(new byte[16]), ShareNumber.of(0), data),
            EMPTY, null, MutableShareIntegrity.signatureOnly()));
    assertEquals(true, e.reason() == PublishRefusedException.Reason.MALFORMED
        || e.reason() == PublishRefusedException.Reason.BAD_SIGNATURE, e.getMessage());
  }
}
