package org.lafsrepair.backend.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.OutOfSpaceException;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServers;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteVector;

class DiskStorageServerTest {
  @TempDir Path temp;

  private static final StorageIndex SI = StorageIndex.parse("tyi275kss2hsdbuubexgl7ltte");
  private static final ShareNumber SH0 = ShareNumber.of(0);
  private static final WriteEnabler WE = WriteEnabler.of(filled(0x5a));

  private static byte[] filled(int b) {
    byte[] a = new byte[32];
    java.util.Arrays.fill(a, (byte) b);
    return a;
  }

  private Path shareFile(Path dir, StorageIndex si, int sh) {
    return dir.resolve("storage/shares").resolve(si.prefix()).resolve(si.toBase32()).resolve(Integer.toString(sh));
  }

  private static void put(StorageServer s, StorageIndex si, int sh, byte[] data, LeaseSecrets lease) throws Exception {
    try (ImmutableUpload u = s.allocate(si, ShareNumber.of(sh), data.length, lease)) {
      u.write(0, ByteBuffer.wrap(data));
      u.commit();
    }
  }

  private static byte[] read(StorageServer s, StorageIndex si, int sh) throws Exception {
    ByteBuffer b = s.read(si, ShareNumber.of(sh), 0, 1 << 20);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  // ---------------------------------------------------------------- identity

  @Test
  void nodeIdIsReadFromMyNodeidWithOrWithoutNewline() throws Exception {
    Path a = Files.createDirectories(temp.resolve("a"));
    Path b = Files.createDirectories(temp.resolve("b"));
    Files.writeString(a.resolve("my_nodeid"), "rvsry4knxlbqxae2im6dl7be3tk5hczg\n");
    Files.writeString(b.resolve("my_nodeid"), "rvsry4knxlbqxae2im6dl7be3tk5hczg");
    try (DiskStorageServer sa = DiskStorageServer.open(a); DiskStorageServer sb = DiskStorageServer.open(b)) {
      assertEquals(ServerId.parse("rvsry4knxlbqxae2im6dl7be3tk5hczg"), sa.id());
      assertEquals(sa.id(), sb.id());
      assertArrayEquals(sa.id().toBytes(), sa.permutationSeed(), "without permutation-seed the id is the seed");
    }
  }

  @Test
  void missingNodeIdIsCreatedOnceAndKept() throws Exception {
    Path d = temp.resolve("fresh");
    ServerId id;
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      id = s.id();
    }
    String stored = Files.readString(d.resolve("my_nodeid"));
    assertEquals(id.toBase32() + "\n", stored);
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      assertEquals(id, s.id());
    }
    try (Stream<Path> files = Files.list(d)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temp file left");
    }
  }

  @Test
  void badNodeIdIsAClearInvalidRequest() throws Exception {
    Path d = Files.createDirectories(temp.resolve("bad"));
    Files.writeString(d.resolve("my_nodeid"), "NOT-BASE32\n");
    InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> DiskStorageServer.open(d));
    assertTrue(e.getMessage().contains("my_nodeid"), e.getMessage());
  }

  @Test
  void permutationSeedFileOverridesTheId() throws Exception {
    Path d = Files.createDirectories(temp.resolve("seed"));
    byte[] seed = new byte[32];
    seed[0] = 42;
    Files.writeString(d.resolve("permutation-seed"), Base32.encode(seed) + "\n");
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      assertArrayEquals(seed, s.permutationSeed());
    }
  }

  @Test
  void fileSchemeOpensAServerDirectory() throws Exception {
    Path d = temp.resolve("via-uri");
    try (StorageServer s = StorageServers.open(d.toUri())) {
      assertInstanceOf(DiskStorageServer.class, s);
      assertTrue(Files.isDirectory(d.resolve("storage/shares/incoming")));
      assertTrue(Files.isDirectory(d.resolve("storage/corruption-advisories")));
    }
    assertThrows(InvalidRequestException.class,
        () -> new DiskStorageServerProvider().open(URI.create("memory:x")));
  }

  @Test
  void aDiskServerIsLocalUnlessItsUriOrBuilderSaysItSitsOnANetworkFileSystem() throws Exception {
    Path d = temp.resolve("locality");
    try (StorageServer s = StorageServers.open(d.toUri())) {
      assertEquals(Locality.LOCAL, s.locality());
    }
    try (StorageServer s = StorageServers.open(URI.create(d.toUri() + "?locality=remote"))) {
      assertEquals(Locality.REMOTE, s.locality());
      assertTrue(Files.isDirectory(d.resolve("storage/shares")), "the query is not part of the path");
    }
    try (StorageServer s = DiskStorageServer.builder(d).locality(Locality.REMOTE).build()) {
      assertEquals(Locality.REMOTE, s.locality());
    }
    assertThrows(InvalidRequestException.class,
        () -> StorageServers.open(URI.create(d.toUri() + "?locality=nearby")));
    assertThrows(InvalidRequestException.class,
        () -> StorageServers.open(URI.create(d.toUri() + "?speed=fast")));
  }

  // ---------------------------------------------------------------- corruption and hostile files

  @Test
  void truncatedAndGarbageContainersAreReportedCorrupt() throws Exception {
    Path d = temp.resolve("corrupt");
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      put(s, SI, 0, new byte[100], LeaseSecrets.random());
      Path f = shareFile(d, SI, 0);
      Files.write(f, new byte[] {0, 0, 0, 2, 0, 0});
      assertThrows(CorruptContainerException.class, () -> s.read(SI, SH0, 0, 10));
      Files.write(f, "garbage garbage garbage garbage garbage".getBytes(StandardCharsets.US_ASCII));
      CorruptContainerException e = assertThrows(CorruptContainerException.class, () -> s.read(SI, SH0, 0, 10));
      assertTrue(e.getMessage().contains(SI.toBase32()), "the message says which share: " + e.getMessage());
      // Claims 1000 leases in a 100-byte file.
      Files.write(f, ByteBuffer.allocate(100).putInt(2).putInt(88).putInt(1000).array());
      assertThrows(CorruptContainerException.class, () -> s.read(SI, SH0, 0, 10));
      assertEquals(List.of(new ShareInfo(SH0, ShareKind.IMMUTABLE, 0)), s.listShares(SI),
          "a corrupt share is still listed so checkers find it");
      put(s, SI, 1, new byte[] {5, 6}, LeaseSecrets.random());
      Map<ShareNumber, List<byte[]>> rv = s.readVectors(SI, java.util.Set.of(),
          List.of(new org.lafsrepair.spi.ReadVector(0, 2)));
      assertArrayEquals(new byte[0], rv.get(SH0).get(0), "a damaged share reads as empty in batches");
      assertArrayEquals(new byte[] {5, 6}, rv.get(ShareNumber.of(1)).get(0), "and does not hide the others");
      s.deleteShare(SI, ShareNumber.of(1), ShareKind.IMMUTABLE);
      // A mutable container cut short inside its data.
      byte[] m = MutableContainer.newContainer(new byte[20], new byte[32]);
      ByteBuffer.wrap(m).putLong(84, 5000);
      Files.write(f, m);
      assertThrows(CorruptContainerException.class, () -> s.read(SI, SH0, 0, 10));
      assertThrows(CorruptContainerException.class, () -> s.testAndWrite(SI, WE,
          Map.of(SH0, ShareTestAndWrite.writes(List.of())), List.of(), LeaseSecrets.random()));
      s.deleteShare(SI, SH0, ShareKind.MUTABLE);
      assertEquals(List.of(), s.listShares(SI));
    }
  }

  @Test
  void junkNamesInABucketAreIgnored() throws Exception {
    Path d = temp.resolve("junk");
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      put(s, SI, 4, new byte[10], LeaseSecrets.random());
      Path bucket = shareFile(d, SI, 4).getParent();
      Files.write(bucket.resolve("notes.txt"), new byte[3]);
      Files.write(bucket.resolve("007"), new byte[3]);
      Files.write(bucket.resolve("256"), new byte[3]);
      assertEquals(List.of(ShareNumber.of(4)), s.listShares(SI).stream().map(ShareInfo::shareNumber).toList());
    }
  }

  @Test
  void aBucketThatIsNotADirectoryIsAnErrorNotAnEmptyListing() throws Exception {
    Path d = temp.resolve("notdir");
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      Path bucket = d.resolve("storage/shares").resolve(SI.prefix()).resolve(SI.toBase32());
      Files.createDirectories(bucket.getParent());
      Files.write(bucket, new byte[] {1, 2, 3});
      org.lafsrepair.spi.StorageException e =
          assertThrows(org.lafsrepair.spi.StorageException.class, () -> s.listShares(SI));
      assertTrue(e.getMessage().contains(SI.toBase32()), "the message says what was listed: " + e.getMessage());
      // Nothing of another storage index is there: that is an empty listing, not an error.
      assertEquals(List.of(), s.listShares(StorageIndex.of(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9})));
    }
  }

  @Test
  void listingFollowsChangesMadeBehindTheServersBack() throws Exception {
    Path d = temp.resolve("behind");
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      put(s, SI, 2, new byte[300], LeaseSecrets.random());
      assertEquals(List.of(new ShareInfo(ShareNumber.of(2), ShareKind.IMMUTABLE, 300)), s.listShares(SI));
      // Another process appends a lease: same data length. Then it cuts the share short.
      Path f = shareFile(d, SI, 2);
      byte[] lease = new byte[72];
      byte[] now = Files.readAllBytes(f);
      int leases = ByteBuffer.wrap(now, 8, 4).getInt();
      ByteBuffer grown = ByteBuffer.allocate(now.length + 72).put(now).put(lease);
      grown.putInt(8, leases + 1);
      Files.write(f, grown.array());
      assertEquals(List.of(new ShareInfo(ShareNumber.of(2), ShareKind.IMMUTABLE, 300)), s.listShares(SI));
      Files.write(f, java.util.Arrays.copyOf(now, 50));
      assertEquals(List.of(new ShareInfo(ShareNumber.of(2), ShareKind.IMMUTABLE, 0)), s.listShares(SI),
          "its leases no longer fit: listed, as corrupt");
      Files.delete(f);
      Files.delete(f.getParent());
      assertEquals(List.of(), s.listShares(SI));
    }
  }

  // ---------------------------------------------------------------- space

  @Test
  void reservedSpaceMakesAllocationsOutOfSpace() throws Exception {
    Path d = temp.resolve("full");
    Files.createDirectories(d);
    long usable = Files.getFileStore(d).getUsableSpace();
    try (DiskStorageServer s = DiskStorageServer.builder(d).reservedSpace(usable).build()) {
      assertThrows(OutOfSpaceException.class, () -> s.allocate(SI, SH0, 1 << 20, LeaseSecrets.random()));
      assertThrows(OutOfSpaceException.class, () -> s.testAndWrite(SI, WE,
          Map.of(SH0, ShareTestAndWrite.writes(List.of(new WriteVector(0, new byte[1 << 20])))),
          List.of(), LeaseSecrets.random()));
      assertTrue(s.space().available() < (1 << 20));
      assertEquals(List.of(), s.listShares(SI));
    }
  }

  @Test
  void diskFullErrorsBecomeOutOfSpace() {
    assertInstanceOf(OutOfSpaceException.class,
        DiskIo.map(new FileSystemException("/x", null, "No space left on device"), "writing"));
    assertInstanceOf(OutOfSpaceException.class, DiskIo.map(new IOException("No space left on device"), "w"));
    assertInstanceOf(OutOfSpaceException.class, DiskIo.map(new IOException("Disk quota exceeded"), "w"));
    assertFalse(DiskIo.map(new IOException("Input/output error"), "w") instanceof OutOfSpaceException);
  }

  // ---------------------------------------------------------------- advisories

  @Test
  void corruptionAdvisoriesAreWrittenWhereAndAsTahoeWritesThem() throws Exception {
    Path d = temp.resolve("adv");
    Clock clock = Clock.fixed(Instant.parse("2026-11-25T13:08:09.123456Z"), ZoneOffset.UTC);
    try (DiskStorageServer s = DiskStorageServer.builder(d).clock(clock).build()) {
      put(s, SI, 0, new byte[10], LeaseSecrets.random());
      s.adviseCorrupt(ShareKind.IMMUTABLE, SI, SH0, "block 3 hash mismatch");
      s.adviseCorrupt(ShareKind.IMMUTABLE, SI, ShareNumber.of(9), "not here");
    }
    Path dir = d.resolve("storage/corruption-advisories");
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> all = files.toList();
      assertEquals(List.of(dir.resolve("2026-11-25T130809.123456--" + SI.toBase32() + "-0")), all);
      assertEquals("report: Share Corruption\ntype: immutable\nstorage_index: " + SI.toBase32()
          + "\nshare_number: 0\n\nblock 3 hash mismatch\n\n", Files.readString(all.get(0)));
    }
    assertEquals("2026-01-02T030405--" + SI.toBase32() + "-7",
        DiskStorageServer.advisoryName(LocalDateTime.of(2026, 1, 2, 3, 4, 5), SI, ShareNumber.of(7)),
        "Python's isoformat drops zero microseconds");
  }

  // ---------------------------------------------------------------- leases

  @Test
  void replacingAShareKeepsItsLeases() throws Exception {
    Path d = temp.resolve("replace");
    LeaseSecrets first = LeaseSecrets.random();
    LeaseSecrets second = LeaseSecrets.random();
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      put(s, SI, 0, "old".getBytes(StandardCharsets.US_ASCII), first);
      s.addLease(SI, second);
      assertEquals(2, s.leaseCount(SI, SH0));
      try (ImmutableUpload u = s.replaceImmutable(SI, SH0, 5, first)) {
        u.write(0, ByteBuffer.wrap("newer".getBytes(StandardCharsets.US_ASCII)));
        u.commit();
      }
      assertArrayEquals("newer".getBytes(StandardCharsets.US_ASCII), read(s, SI, 0));
      assertEquals(2, s.leaseCount(SI, SH0), "old leases kept, our lease renewed not duplicated");
      byte[] f = Files.readAllBytes(shareFile(d, SI, 0));
      assertEquals(12 + 5 + 2 * 72, f.length);
      ByteBuffer h = ByteBuffer.wrap(f);
      assertEquals(2, h.getInt(0));
      assertEquals(5, h.getInt(4));
      assertEquals(2, h.getInt(8));
      byte[] renew2 = new byte[32];
      ByteBuffer.wrap(f, 12 + 5 + 72 + 4, 32).get(renew2);
      assertArrayEquals(Leases.blake2b256(second.renewSecret()), renew2);
      assertEquals(1, h.getInt(12 + 5 + 72), "add_lease leases have owner 1");
    }
  }

  @Test
  void leasesOnVersionOneContainersCompareCleartextSecrets() throws Exception {
    Path d = temp.resolve("v1");
    LeaseSecrets lease = LeaseSecrets.random();
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      put(s, SI, 0, new byte[1], LeaseSecrets.random());
    }
    // An old (pre-1.17) immutable container: version 1, cleartext lease secrets.
    ByteBuffer b = ByteBuffer.allocate(12 + 4 + 72);
    b.putInt(1).putInt(4).putInt(1).put("data".getBytes(StandardCharsets.US_ASCII));
    b.putInt(0).put(lease.renewSecret()).put(lease.cancelSecret()).putInt(1000);
    Files.write(shareFile(d, SI, 0), b.array());
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      assertArrayEquals("data".getBytes(StandardCharsets.US_ASCII), read(s, SI, 0));
      s.addLease(SI, lease);
      assertEquals(1, s.leaseCount(SI, SH0), "the cleartext secret matched: renewed");
      byte[] f = Files.readAllBytes(shareFile(d, SI, 0));
      assertTrue(ByteBuffer.wrap(f).getInt(12 + 4 + 68) > 1000, "expiry moved forward");
      s.addLease(SI, LeaseSecrets.random());
      assertEquals(2, s.leaseCount(SI, SH0));
    }
  }

  @Test
  void versionOneMutableContainersAreReadAndWritten() throws Exception {
    Path d = temp.resolve("mv1");
    byte[] c = MutableContainer.newContainer(new byte[20], WE.toBytes());
    System.arraycopy(MutableContainer.MAGIC_V1, 0, c, 0, 32);
    Path f = shareFile(d, SI, 0);
    Files.createDirectories(f.getParent());
    Files.write(f, c);
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      assertTrue(s.testAndWrite(SI, WE, Map.of(SH0, ShareTestAndWrite.writes(
          List.of(new WriteVector(0, "v1 data".getBytes(StandardCharsets.US_ASCII))))), List.of(),
          LeaseSecrets.random()).success());
      assertArrayEquals("v1 data".getBytes(StandardCharsets.US_ASCII), read(s, SI, 0));
    }
    byte[] after = Files.readAllBytes(f);
    assertArrayEquals(MutableContainer.MAGIC_V1, java.util.Arrays.copyOf(after, 32), "a v1 container stays v1");
  }

  @Test
  void growingAMutableShareMovesTheExtraLeasesAndKeepsEveryLease() throws Exception {
    Path d = temp.resolve("grow");
    LeaseSecrets writer = LeaseSecrets.random();
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      s.testAndWrite(SI, WE, Map.of(SH0, ShareTestAndWrite.writes(List.of(new WriteVector(0, new byte[10])))),
          List.of(), writer);
      for (int i = 0; i < 5; i++) {
        s.addLease(SI, LeaseSecrets.random());
      }
      assertEquals(6, s.leaseCount(SI, SH0), "four slots plus two extra leases");
      byte[] before = Files.readAllBytes(shareFile(d, SI, 0));
      ByteBuffer hb = ByteBuffer.wrap(before);
      assertEquals(468 + 10, hb.getLong(92));
      assertEquals(2, hb.getInt(478));
      byte[] extra = java.util.Arrays.copyOfRange(before, 478, 478 + 4 + 2 * 92);

      assertTrue(s.testAndWrite(SI, WE, Map.of(SH0, ShareTestAndWrite.writes(
          List.of(new WriteVector(100, new byte[] {1, 2, 3})))), List.of(), writer).success());
      byte[] after = Files.readAllBytes(shareFile(d, SI, 0));
      ByteBuffer ha = ByteBuffer.wrap(after);
      assertEquals(103, ha.getLong(84));
      assertEquals(468 + 103, ha.getLong(92), "extra-lease offset moved to the new end of data");
      assertArrayEquals(extra, java.util.Arrays.copyOfRange(after, 571, 571 + 4 + 2 * 92));
      assertEquals(571 + 4 + 2 * 92, after.length);
      assertEquals(6, s.leaseCount(SI, SH0), "the writer's lease was renewed, not added");

      // Truncation never moves the area back (§7.5).
      assertTrue(s.testAndWrite(SI, WE, Map.of(SH0, new ShareTestAndWrite(List.of(), List.of(),
          OptionalLong.of(5))), List.of(), LeaseSecrets.random()).success());
      ByteBuffer ht = ByteBuffer.wrap(Files.readAllBytes(shareFile(d, SI, 0)));
      assertEquals(5, ht.getLong(84));
      assertEquals(468 + 103, ht.getLong(92));
      assertEquals(5, read(s, SI, 0).length);
    }
  }

  @Test
  void newMutableContainerIsLaidOutAsTahoeCreatesIt() throws Exception {
    Path d = Files.createDirectories(temp.resolve("new"));
    Files.writeString(d.resolve("my_nodeid"), "rvsry4knxlbqxae2im6dl7be3tk5hczg\n");
    byte[] we = new byte[32];
    we[31] = 7;
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      s.testAndWrite(SI, WriteEnabler.of(we), Map.of(SH0, ShareTestAndWrite.writes(List.of())), List.of(),
          LeaseSecrets.random());
    }
    byte[] f = Files.readAllBytes(shareFile(d, SI, 0));
    assertEquals(472, f.length, "header, four lease slots and the extra-lease count");
    assertEquals("5461686f65206d757461626c6520636f6e7461696e65722076320ac355219925",
        HexFormat.of().formatHex(f, 0, 32));
    assertEquals("rvsry4knxlbqxae2im6dl7be3tk5hczg", Base32.encode(java.util.Arrays.copyOfRange(f, 32, 52)));
    assertArrayEquals(we, java.util.Arrays.copyOfRange(f, 52, 84));
    assertEquals(0, ByteBuffer.wrap(f).getLong(84));
    assertEquals(468, ByteBuffer.wrap(f).getLong(92));
    assertEquals(1, ByteBuffer.wrap(f).getInt(100), "the lease goes in the first slot");
  }

  @Test
  void idleUploadsAreDiscardedAndTheirShareCanBeUploadedAgain() throws Exception {
    Path d = temp.resolve("idle");
    try (DiskStorageServer s = DiskStorageServer.builder(d).uploadIdleTimeout(java.time.Duration.ofMillis(50)).build()) {
      ImmutableUpload stale = s.allocate(SI, SH0, 3, LeaseSecrets.random());
      stale.write(0, ByteBuffer.wrap(new byte[] {1}));
      Thread.sleep(120);
      try (ImmutableUpload u = s.allocate(SI, SH0, 3, LeaseSecrets.random())) {
        u.write(0, ByteBuffer.wrap(new byte[] {7, 8, 9}));
        u.commit();
      }
      assertThrows(org.lafsrepair.spi.ShareConflictException.class,
          () -> stale.write(1, ByteBuffer.wrap(new byte[] {2})), "the discarded upload is dead");
      assertArrayEquals(new byte[] {7, 8, 9}, read(s, SI, 0));
    }
  }

  @Test
  void concurrentReadersOfManySharesAlwaysSeeTheirOwnBytes() throws Exception {
    Path d = temp.resolve("many");
    int shares = 70; // more than the 64 kept open, so eviction races with reads
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      StorageIndex[] sis = new StorageIndex[shares];
      for (int i = 0; i < shares; i++) {
        byte[] b = new byte[16];
        b[0] = (byte) i;
        b[1] = (byte) (i * 7);
        sis[i] = StorageIndex.of(b);
        byte[] data = new byte[4096];
        java.util.Arrays.fill(data, (byte) i);
        put(s, sis[i], 0, data, LeaseSecrets.random());
      }
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int seed = t;
          done.add(pool.submit(() -> {
            java.util.Random r = new java.util.Random(seed);
            for (int k = 0; k < 1000; k++) {
              int i = r.nextInt(shares);
              ByteBuffer b = s.read(sis[i], SH0, r.nextInt(4000), 64);
              while (b.hasRemaining()) {
                if (b.get() != (byte) i) {
                  throw new AssertionError("share " + i + " read another share's bytes");
                }
              }
            }
            return seed;
          }));
        }
        for (var f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void smallMutableSharesAreRewrittenByRenameLargeOnesInPlace() throws Exception {
    Path d = temp.resolve("cow");
    LeaseSecrets lease = LeaseSecrets.random();
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      Path f = shareFile(d, SI, 0);
      s.testAndWrite(SI, WE, Map.of(SH0, ShareTestAndWrite.writes(List.of(new WriteVector(0, new byte[] {1})))),
          List.of(), lease);
      Object inode = Files.getAttribute(f, "unix:ino");
      s.testAndWrite(SI, WE, Map.of(SH0, ShareTestAndWrite.writes(List.of(new WriteVector(1, new byte[] {2})))),
          List.of(), lease);
      assertFalse(inode.equals(Files.getAttribute(f, "unix:ino")), "a small share is replaced atomically");

      long far = DiskStorageServer.COPY_ON_WRITE_LIMIT + 5;
      s.testAndWrite(SI, WE, Map.of(SH0, ShareTestAndWrite.writes(List.of(new WriteVector(far, new byte[] {3})))),
          List.of(), lease);
      inode = Files.getAttribute(f, "unix:ino");
      s.testAndWrite(SI, WE, Map.of(SH0, ShareTestAndWrite.writes(List.of(new WriteVector(far + 1, new byte[] {4})))),
          List.of(), lease);
      assertEquals(inode, Files.getAttribute(f, "unix:ino"), "a large share is updated in place, as Tahoe does");
      ByteBuffer b = s.read(SI, SH0, far - 1, 10);
      assertEquals(3, b.remaining());
      assertEquals(0, b.get());
      assertEquals(3, b.get());
      assertEquals(4, b.get());
      assertArrayEquals(new byte[] {1, 2}, java.util.Arrays.copyOf(read(s, SI, 0), 2));
      assertEquals(1, s.leaseCount(SI, SH0));
      ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(f), 84, 16);
      assertEquals(far + 2, h.getLong());
      assertEquals(468 + far + 2, h.getLong());
    }
  }

  @Test
  void aSecondProcessOnTheSameDirectoryDoesNotWipeLiveUploads() throws Exception {
    Path d = temp.resolve("two");
    try (DiskStorageServer a = DiskStorageServer.open(d)) {
      ImmutableUpload u = a.allocate(SI, SH0, 3, LeaseSecrets.random());
      u.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      try (DiskStorageServer b = DiskStorageServer.open(d)) {
        assertEquals(a.id(), b.id());
      }
      u.commit();
      assertArrayEquals(new byte[] {1, 2, 3}, read(a, SI, 0));
    }
  }

  @Test
  void largeUploadsFlushInTheBackgroundAndStillCommitOrAbortCleanly() throws Exception {
    Path d = Files.createDirectories(temp.resolve("writeback"));
    int size = (int) (3 * DiskStorageServer.WRITEBACK_BYTES + 12345);
    byte[] data = new byte[size];
    new java.util.Random(7).nextBytes(data);
    LeaseSecrets lease = LeaseSecrets.random();
    try (DiskStorageServer s = DiskStorageServer.open(d)) {
      // Written back to front in 1 MiB pieces: several background flushes start on the way.
      try (ImmutableUpload u = s.allocate(SI, SH0, size, lease)) {
        for (int off = size - (size % (1 << 20)); off >= 0; off -= 1 << 20) {
          u.write(off, ByteBuffer.wrap(data, off, Math.min(1 << 20, size - off)));
        }
        u.commit();
      }
      byte[] back = new byte[size];
      for (int off = 0; off < size; off += 1 << 20) {
        ByteBuffer b = s.read(SI, SH0, off, 1 << 20);
        b.get(back, off, b.remaining());
      }
      assertArrayEquals(data, back);

      // Aborted while a flush may still run: nothing of it remains.
      ShareNumber sh1 = ShareNumber.of(1);
      ImmutableUpload u = s.allocate(SI, sh1, size, lease);
      for (int off = 0; off < 2 * DiskStorageServer.WRITEBACK_BYTES; off += 1 << 20) {
        u.write(off, ByteBuffer.wrap(data, off, 1 << 20));
      }
      u.abort();
      assertEquals(1, s.listShares(SI).size());
      try (ImmutableUpload again = s.allocate(SI, sh1, 10, lease)) {
        again.write(0, ByteBuffer.wrap(data, 0, 10));
        again.commit();
      }
      assertEquals(2, s.listShares(SI).size());
    }
  }
}
