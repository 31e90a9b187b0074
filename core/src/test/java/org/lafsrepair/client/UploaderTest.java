package org.lafsrepair.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.LiteralCap;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.memory.MemoryStorageServer;
import org.lafsrepair.testing.ChkCorpus;
import org.lafsrepair.testing.MemoryGrids;

class UploaderTest {
  @Test
  void uploadReproducesTahoesCapAndShareBytesForEveryCorpusCase() throws Exception {
    for (ChkCorpus.Case c : ChkCorpus.cases()) {
      List<MemoryStorageServer> servers = MemoryGrids.servers(c.n() + 2);
      EncodingParameters p = new EncodingParameters(c.k(), c.n(), Math.min(c.n(), 7), c.maxSegmentSize());
      Grid grid = MemoryGrids.grid(servers, p, c.convergenceSecret());
      Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of(c.plaintext()));
      assertEquals(c.readCap(), cap.toString(), c.name());
      StorageIndex si = cap.storageIndex().orElseThrow();
      Set<Integer> seen = new HashSet<>();
      Set<MemoryStorageServer> hosts = new HashSet<>();
      for (MemoryStorageServer s : servers) {
        for (ShareInfo info : s.listShares(si)) {
          assertTrue(seen.add(info.shareNumber().value()), "one copy of each share");
          hosts.add(s);
          byte[] stored = new byte[(int) info.dataLength()];
          s.read(si, info.shareNumber(), 0, stored.length).get(stored);
          assertTrue(java.util.Arrays.equals(c.share(info.shareNumber().value()).shareData(), stored),
              c.name() + " " + info.shareNumber() + " byte-identical to Tahoe's");
        }
      }
      assertEquals(c.n(), seen.size(), c.name());
      assertEquals(c.n(), hosts.size(), "each share on its own server");
    }
  }

  @Test
  void smallFilesBecomeLiteralCapsAndStoreNothing() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(10);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of("hello".getBytes()));
    assertTrue(cap instanceof LiteralCap);
    assertEquals("URI:LIT:nbswy3dp", cap.toString());
  }

  @Test
  void uploadFailsWithoutWritingWhenHappinessCannotBeMet() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(3);
    Grid grid = MemoryGrids.grid(servers, EncodingParameters.DEFAULT, new byte[32]);
    byte[] data = new byte[10_000];
    UploadException e = assertThrows(UploadException.class, () -> new Uploader(grid).uploadChk(PlaintextSource.of(data)));
    assertTrue(e.getMessage().contains("happiness 7"), e.getMessage());
    for (MemoryStorageServer s : servers) {
      assertEquals(0, s.uploadsInProgress());
    }
  }

  @Test
  void fewerServersThanSharesStillPlacesEveryShareWhenHappinessAllows() throws Exception {
    List<MemoryStorageServer> servers = MemoryGrids.servers(4);
    Grid grid = MemoryGrids.grid(servers, new EncodingParameters(2, 6, 4, 131072), new byte[32]);
    Cap cap = new Uploader(grid).uploadChk(PlaintextSource.of(new byte[5000]));
    StorageIndex si = cap.storageIndex().orElseThrow();
    Set<Integer> seen = new HashSet<>();
    for (MemoryStorageServer s : servers) {
      assertTrue(!s.listShares(si).isEmpty(), "every server used");
      s.listShares(si).forEach(i -> seen.add(i.shareNumber().value()));
    }
    assertEquals(6, seen.size());
  }

  @Test
  void shareCommittedMeanwhileByAnotherUploaderCountsAsPlacedNotAsAFailure() throws Exception {
    // Servers that, like the S3 backend, notice an existing share only at commit.
    List<MemoryStorageServer> servers = new java.util.ArrayList<>();
    for (MemoryStorageServer s : MemoryGrids.servers(10)) {
      servers.add(MemoryStorageServer.builder().id(s.id()).location(s.location()).conflictsAtCommit(true).build());
    }
    byte[] data = new byte[100_000];
    new java.util.Random(3).nextBytes(data);
    byte[] secret = new byte[32];
    Cap first = new Uploader(MemoryGrids.grid(servers, EncodingParameters.DEFAULT, secret))
        .uploadChk(PlaintextSource.of(data));
    StorageIndex si = first.storageIndex().orElseThrow();
    java.util.Map<String, byte[]> before = stored(servers, si);

    // A second uploader of the same file whose listing predates the first one's commits.
    List<StaleListing> stale = servers.stream().map(StaleListing::new).toList();
    Grid staleGrid = Grid.builder().servers(stale).defaults(EncodingParameters.DEFAULT)
        .convergenceSecret(secret).leaseSecret(new byte[32]).build();
    Cap second = new Uploader(staleGrid).uploadChk(PlaintextSource.of(data));

    assertEquals(first, second);
    assertTrue(stale.stream().mapToInt(s -> s.conflictsAtCommit).sum() > 0, "commits did conflict");
    java.util.Map<String, byte[]> after = stored(servers, si);
    for (java.util.Map.Entry<String, byte[]> e : before.entrySet()) {
      assertTrue(java.util.Arrays.equals(e.getValue(), after.get(e.getKey())), e.getKey() + " untouched");
    }
    for (MemoryStorageServer s : servers) {
      assertEquals(0, s.uploadsInProgress());
    }
  }

  private static java.util.Map<String, byte[]> stored(List<MemoryStorageServer> servers, StorageIndex si)
      throws org.lafsrepair.spi.StorageException {
    java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
    for (MemoryStorageServer s : servers) {
      for (ShareInfo info : s.listShares(si)) {
        byte[] b = new byte[(int) info.dataLength()];
        s.read(si, info.shareNumber(), 0, b.length).get(b);
        out.put(s.location() + "/" + info.shareNumber(), b);
      }
    }
    return out;
  }

  /** A server whose first listing of each storage index shows nothing; counts commit conflicts. */
  private static final class StaleListing extends org.lafsrepair.testing.ForwardingStorageServer {
    private final Set<StorageIndex> listedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    volatile int conflictsAtCommit;

    StaleListing(MemoryStorageServer delegate) {
      super(delegate);
    }

    @Override
    public List<ShareInfo> listShares(StorageIndex si) throws org.lafsrepair.spi.StorageException {
      return listedOnce.add(si) ? List.of() : delegate.listShares(si);
    }

    @Override
    public org.lafsrepair.spi.ImmutableUpload allocate(
        StorageIndex si, org.lafsrepair.spi.ShareNumber shnum, long size, org.lafsrepair.spi.LeaseSecrets lease)
        throws org.lafsrepair.spi.StorageException {
      org.lafsrepair.spi.ImmutableUpload u = delegate.allocate(si, shnum, size, lease);
      return new org.lafsrepair.spi.ImmutableUpload() {
        @Override
        public org.lafsrepair.spi.ShareNumber shareNumber() {
          return u.shareNumber();
        }

        @Override
        public long allocatedSize() {
          return u.allocatedSize();
        }

        @Override
        public void write(long offset, java.nio.ByteBuffer data) throws org.lafsrepair.spi.StorageException {
          u.write(offset, data);
        }

        @Override
        public void commit() throws org.lafsrepair.spi.StorageException {
          try {
            u.commit();
          } catch (org.lafsrepair.spi.ShareConflictException e) {
            conflictsAtCommit++;
            throw e;
          }
        }

        @Override
        public void abort() throws org.lafsrepair.spi.StorageException {
          u.abort();
        }

        @Override
        public void close() throws org.lafsrepair.spi.StorageException {
          u.close();
        }
      };
    }
  }
}
