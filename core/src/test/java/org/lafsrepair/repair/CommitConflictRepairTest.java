package org.lafsrepair.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.ForwardingStorageServer;
import org.lafsrepair.testing.MemoryGrids;

/**
 * Repair onto servers that, like the S3 backend, may report an existing share only at commit: a
 * share that another writer puts in place while the repairer is uploading it must stay as it is,
 * the repairer's upload must be aborted, and the conflict reported, not thrown.
 */
class CommitConflictRepairTest {
  @Test
  void shareUploadedByAnotherWriterDuringTheRepairIsKeptAndTheConflictReported() throws Exception {
    List<MemoryStorageServer> memory = new ArrayList<>();
    for (MemoryStorageServer s : MemoryGrids.servers(10)) {
      memory.add(MemoryStorageServer.builder().id(s.id()).location(s.location()).conflictsAtCommit(true).build());
    }
    byte[] plaintext = new byte[200_000];
    new Random(5).nextBytes(plaintext);
    Cap cap = new Uploader(MemoryGrids.grid(memory, EncodingParameters.DEFAULT, new byte[32]))
        .uploadChk(PlaintextSource.of(plaintext));
    StorageIndex si = cap.storageIndex().orElseThrow();
    ShareNumber lost = ShareNumber.of(4);
    MemoryStorageServer holder = null;
    for (MemoryStorageServer s : memory) {
      if (s.listShares(si).stream().anyMatch(i -> i.shareNumber().equals(lost))) {
        holder = s;
      }
    }
    byte[] original = readAll(holder, si, lost);
    holder.deleteShare(si, lost, ShareKind.IMMUTABLE);

    AtomicInteger races = new AtomicInteger();
    List<StorageServer> racing = new ArrayList<>();
    for (MemoryStorageServer s : memory) {
      racing.add(new RacingServer(s, si, lost, original, races));
    }
    Grid racingGrid = Grid.builder().servers(racing).defaults(EncodingParameters.DEFAULT)
        .convergenceSecret(new byte[32]).leaseSecret(new byte[32]).build();
    try (Repairer r = Repairer.builder(racingGrid).build()) {
      RepairResult result = r.repair(cap.verifyCap().orElseThrow());
      assertEquals(1, races.get(), "the other writer committed share 4 during the repair");
      assertTrue(result.written().stream().noneMatch(p -> p.shareNumber().equals(lost)), result.written().toString());
      assertTrue(result.problems().stream().anyMatch(p -> p.contains("commit of " + lost)), result.problems().toString());
      assertEquals(List.of(), result.removed(), "no copy is retired when a write did not land");
      assertTrue(result.successful(), "the other writer's share makes the file healthy: " + result.problems());
    }
    int copies = 0;
    for (MemoryStorageServer s : memory) {
      assertEquals(0, s.uploadsInProgress(), "the refused upload was aborted");
      if (s.listShares(si).stream().anyMatch(i -> i.shareNumber().equals(lost))) {
        assertArrayEquals(original, readAll(s, si, lost), "the other writer's share is untouched");
        copies++;
      }
    }
    assertEquals(1, copies);
  }

  private static byte[] readAll(StorageServer s, StorageIndex si, ShareNumber sh) throws StorageException {
    ShareInfo info = s.listShares(si).stream().filter(i -> i.shareNumber().equals(sh)).findFirst().orElseThrow();
    ByteBuffer b = s.read(si, sh, 0, (int) info.dataLength());
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /**
   * A server where, the first time share {@code target} is allocated, another writer uploads that
   * share (its correct bytes) right after the allocation: the repairer's commit then meets it.
   */
  private static final class RacingServer extends ForwardingStorageServer {
    private final MemoryStorageServer memory;
    private final StorageIndex si;
    private final ShareNumber target;
    private final byte[] bytes;
    private final AtomicInteger races;

    RacingServer(MemoryStorageServer delegate, StorageIndex si, ShareNumber target, byte[] bytes, AtomicInteger races) {
      super(delegate);
      this.memory = delegate;
      this.si = si;
      this.target = target;
      this.bytes = bytes;
      this.races = races;
    }

    @Override
    public ImmutableUpload allocate(StorageIndex s, ShareNumber sh, long size, LeaseSecrets lease)
        throws StorageException {
      boolean race = s.equals(si) && sh.equals(target) && races.compareAndSet(0, 1);
      if (race) {
        // The other writer gets there first: its upload is complete before ours is opened.
        try (ImmutableUpload other = memory.allocate(s, sh, bytes.length, LeaseSecrets.random())) {
          other.write(0, ByteBuffer.wrap(bytes));
          other.commit();
        }
      }
      return memory.allocate(s, sh, size, lease);
    }

    @Override
    public Set<Capability> capabilities() {
      return memory.capabilities();
    }

    @Override
    public ImmutableUpload replaceImmutable(StorageIndex s, ShareNumber sh, long size, LeaseSecrets lease)
        throws StorageException {
      return memory.replaceImmutable(s, sh, size, lease);
    }

    @Override
    public void deleteShare(StorageIndex s, ShareNumber sh, ShareKind kind) throws StorageException {
      memory.deleteShare(s, sh, kind);
    }
  }
}
