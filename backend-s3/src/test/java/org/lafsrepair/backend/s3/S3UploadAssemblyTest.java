package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareConflictException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;

/**
 * However an uploader cuts, orders and repeats its writes, the committed object is exactly the
 * share, and a conflicting overlap is refused without disturbing what was written.
 */
class S3UploadAssemblyTest {
  private static S3StorageServer server;

  private static synchronized S3StorageServer server() throws StorageException {
    if (server == null) {
      S3MockServer mock = S3MockServer.shared();
      server = mock.backend(mock.createBucket(), "props").build();
    }
    return server;
  }

  @Property(tries = 40)
  void anyOrderOfChunksAndRetriesAssemblesTheShare(
      @ForAll @IntRange(min = 1, max = 5000) int size,
      @ForAll @IntRange(min = 1, max = 12) int pieces,
      @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    byte[] data = new byte[size];
    r.nextBytes(data);
    List<int[]> chunks = new ArrayList<>();
    int[] cuts = r.ints(pieces - 1L, 0, size + 1).sorted().toArray();
    int start = 0;
    for (int c : cuts) {
      chunks.add(new int[] {start, c});
      start = c;
    }
    chunks.add(new int[] {start, size});
    for (int i = 0, n = chunks.size(); i < n; i++) {
      if (r.nextInt(3) == 0) {
        chunks.add(chunks.get(i)); // a retried write
      }
    }
    Collections.shuffle(chunks, r);
    StorageIndex si = StorageIndex.of(java.util.Arrays.copyOf(Long.toString(seed ^ size).getBytes(), 16));
    ShareNumber sh = ShareNumber.of(Math.floorMod(seed, 256));
    S3StorageServer s = server();
    try (ImmutableUpload up = s.allocate(si, sh, size, LeaseSecrets.random())) {
      for (int[] c : chunks) {
        up.write(c[0], ByteBuffer.wrap(data, c[0], c[1] - c[0]));
        if (c[1] - c[0] > 0 && r.nextInt(4) == 0) {
          byte[] wrong = java.util.Arrays.copyOfRange(data, c[0], c[1]);
          wrong[r.nextInt(wrong.length)] ^= (byte) (1 + r.nextInt(255));
          assertThrows(ShareConflictException.class, () -> up.write(c[0], ByteBuffer.wrap(wrong)));
        }
      }
      up.commit();
    }
    ByteBuffer back = s.read(si, sh, 0, size + 10);
    byte[] got = new byte[back.remaining()];
    back.get(got);
    assertArrayEquals(data, got);
    s.deleteShare(si, sh, org.lafsrepair.spi.ShareKind.IMMUTABLE);
  }
}
