package org.lafsrepair.spi.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.OutOfSpaceException;
import org.lafsrepair.spi.ServerUnavailableException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServers;

class MemoryFaultsTest {
  private static final StorageIndex SI = StorageIndex.of(new byte[16]);
  private static final ShareNumber SH0 = ShareNumber.of(0);

  private static byte[] data(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  private static void put(MemoryStorageServer s, byte[] d) throws StorageException {
    try (ImmutableUpload u = s.allocate(SI, SH0, d.length, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(d));
      u.commit();
    }
  }

  private static byte[] read(StorageServer s, long off, int len) throws StorageException {
    ByteBuffer b = s.read(SI, SH0, off, len);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void aServerIsLocalUntilADelayMakesItStandInForAStallingRemoteOne() {
    MemoryStorageServer s = MemoryStorageServer.create();
    assertEquals(Locality.LOCAL, s.locality());
    s.faults().failAlways(Faults.Op.LIST);
    assertEquals(Locality.LOCAL, s.locality(), "failing fast is not stalling");
    s.faults().delay(Faults.Op.READ, Duration.ofMillis(5));
    assertEquals(Locality.REMOTE, s.locality());
    s.faults().delay(Faults.Op.READ, Duration.ZERO);
    assertEquals(Locality.LOCAL, s.locality());
    s.faults().delayAll(Duration.ofMillis(1)).clear();
    assertEquals(Locality.LOCAL, s.locality());
    assertEquals(Locality.REMOTE, MemoryStorageServer.builder().locality(Locality.REMOTE).build().locality());
  }

  @Test
  void failNextFailsExactlyThatManyCalls() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(10));
    s.faults().failNext(Faults.Op.READ, 2);
    assertThrows(ServerUnavailableException.class, () -> read(s, 0, 10));
    assertThrows(ServerUnavailableException.class, () -> read(s, 0, 10));
    assertArrayEquals(data(10), read(s, 0, 10));
  }

  @Test
  void failNextCanThrowAnyTypedException() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(10));
    s.faults().failNext(Faults.Op.LIST, 1, () -> new CorruptContainerException("bad header"));
    assertThrows(CorruptContainerException.class, () -> s.listShares(SI));
    assertEquals(1, s.listShares(SI).size());
  }

  @Test
  void failAlwaysLastsUntilCleared() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    s.faults().failAlways(Faults.Op.ALLOCATE);
    for (int i = 0; i < 3; i++) {
      assertThrows(ServerUnavailableException.class,
          () -> s.allocate(SI, SH0, 1, LeaseSecrets.random()));
    }
    s.faults().clear();
    put(s, data(1));
  }

  @Test
  void delaySlowsTheOperation() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.builder()
        .faults(f -> f.delay(Faults.Op.LIST, Duration.ofMillis(50))).build();
    long t0 = System.nanoTime();
    s.listShares(SI);
    assertTrue(System.nanoTime() - t0 >= 50_000_000L, "the call must take at least the delay");
  }

  @Test
  void interruptedDelayIsUnavailable() {
    MemoryStorageServer s = MemoryStorageServer.create();
    s.faults().delay(Faults.Op.READ, Duration.ofSeconds(30));
    Thread.currentThread().interrupt();
    try {
      assertThrows(ServerUnavailableException.class, () -> read(s, 0, 1));
      assertTrue(Thread.interrupted(), "the interrupt flag is restored");
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void corruptReadsFlipTheChosenByteOnlyOnTheWayOut() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(100));
    s.faults().corruptReads(SI, SH0, 42, 0x80);
    byte[] whole = read(s, 0, 100);
    assertEquals((byte) (42 ^ 0x80), whole[42]);
    assertArrayEquals(data(10), read(s, 0, 10), "reads not covering the byte are clean");
    assertEquals((byte) (42 ^ 0x80), read(s, 40, 5)[2]);
    s.faults().clear();
    assertArrayEquals(data(100), read(s, 0, 100), "stored data was never changed");
  }

  @Test
  void corruptStoredByteIsPersistentBitRot() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(100));
    s.corruptStoredByte(SI, SH0, 7, 0x01);
    assertEquals((byte) 6, read(s, 7, 1)[0]);
  }

  @Test
  void truncateStoredShortensTheShare() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(100));
    s.truncateStored(SI, SH0, 30);
    assertEquals(30, s.listShares(SI).get(0).dataLength());
    assertEquals(30, read(s, 0, 100).length);
  }

  @Test
  void lieAboutSizesChangesOnlyTheListing() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(100));
    s.faults().lieAboutSizes(n -> n * 10);
    assertEquals(1000, s.listShares(SI).get(0).dataLength());
    assertEquals(100, read(s, 0, 5000).length);
    s.faults().lieAboutSizes(n -> -5);
    assertEquals(0, s.listShares(SI).get(0).dataLength());
  }

  @Test
  void droppedConnectionMidReadTakesTheServerOffline() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(100));
    s.faults().dropAfterBytes(150);
    assertEquals(100, read(s, 0, 100).length);
    assertThrows(ServerUnavailableException.class, () -> read(s, 0, 100));
    assertTrue(s.faults().isOffline());
    assertThrows(ServerUnavailableException.class, () -> s.listShares(SI));
    s.faults().clear();
    assertEquals(100, read(s, 0, 100).length);
  }

  @Test
  void droppedConnectionMidUploadLeavesNoVisibleShare() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    s.faults().dropAfterBytes(30);
    ImmutableUpload u = s.allocate(SI, SH0, 100, LeaseSecrets.random());
    assertThrows(ServerUnavailableException.class, () -> u.write(0, ByteBuffer.wrap(data(100))));
    s.faults().online();
    assertEquals(List.of(), s.listShares(SI));
    u.close();
    assertEquals(0, s.uploadsInProgress());
  }

  @Test
  void offlineServerRefusesEverythingUntilOnline() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(5));
    s.faults().offline();
    assertThrows(ServerUnavailableException.class, () -> s.listShares(SI));
    assertThrows(ServerUnavailableException.class, () -> read(s, 0, 5));
    assertThrows(ServerUnavailableException.class, s::space);
    s.faults().online();
    assertFalse(s.faults().isOffline());
    assertArrayEquals(data(5), read(s, 0, 5));
  }

  @Test
  void capacityLimitsAllocationsAndCountsOpenUploads() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.builder().capacity(100).build();
    assertEquals(100, s.space().available());
    ImmutableUpload u = s.allocate(SI, SH0, 60, LeaseSecrets.random());
    assertEquals(40, s.space().available());
    assertThrows(OutOfSpaceException.class,
        () -> s.allocate(SI, ShareNumber.of(1), 41, LeaseSecrets.random()));
    u.abort();
    assertEquals(100, s.space().available());
  }

  @Test
  void advisoriesAreRecordedForExistingShares() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(5));
    s.adviseCorrupt(org.lafsrepair.spi.ShareKind.IMMUTABLE, SI, SH0, "bad block");
    s.adviseCorrupt(org.lafsrepair.spi.ShareKind.IMMUTABLE, SI, ShareNumber.of(3), "missing");
    assertEquals(List.of(new MemoryStorageServer.Advisory(
        org.lafsrepair.spi.ShareKind.IMMUTABLE, SI, SH0, "bad block")), s.advisories());
  }

  @Test
  void leasesAreAddedOnceAndRenewedAfterwards() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    put(s, data(5));
    assertEquals(1, s.leaseCount(SI, SH0));
    LeaseSecrets l = LeaseSecrets.random();
    s.addLease(SI, l);
    s.addLease(SI, l);
    assertEquals(2, s.leaseCount(SI, SH0));
  }

  @Test
  void closedServerIsUnavailable() throws Exception {
    MemoryStorageServer s = MemoryStorageServer.create();
    s.close();
    assertThrows(ServerUnavailableException.class, () -> s.listShares(SI));
  }

  @Test
  void memorySchemeIsFoundByServiceLoaderAndNamesShareServers() throws Exception {
    StorageServer a = StorageServers.open(URI.create("memory:grid-a"));
    StorageServer b = StorageServers.open(URI.create("memory://grid-a"));
    StorageServer c = StorageServers.open(URI.create("memory:grid-b"));
    assertSame(a, b);
    assertFalse(a.id().equals(c.id()));
    assertEquals(a.id(), MemoryStorageServerProvider.server("grid-a").id());
    assertThrows(org.lafsrepair.spi.InvalidRequestException.class,
        () -> StorageServers.open(URI.create("memory:///")));
    MemoryStorageServerProvider.forget("grid-a");
    MemoryStorageServerProvider.forget("grid-b");
  }
}
