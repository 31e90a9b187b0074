package org.lafsrepair.spi.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.OutOfSpaceException;
import org.lafsrepair.spi.ReadVector;
import org.lafsrepair.spi.ShareConflictException;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNotFoundException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.SpaceInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.UnsupportedCapabilityException;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerMismatchException;
import org.lafsrepair.spi.WriteVector;

/**
 * The conformance suite every {@link StorageServer} must pass. A backend runs it by extending this
 * class and supplying {@link #newServer()} (a fresh, empty server per test); {@link
 * PersistentStorageServerTck} adds restart checks for durable backends. Each test is named after
 * the behaviour it pins down; the semantics are Tahoe's (tahoe-formats.md §5, §8) plus the SPI's
 * Javadoc.
 */
public abstract class StorageServerTck {
  protected static final ShareNumber SH0 = ShareNumber.of(0);
  protected static final ShareNumber SH1 = ShareNumber.of(1);
  protected static final ShareNumber SH2 = ShareNumber.of(2);
  protected static final long GIB = 1L << 30;

  private final Random random = new Random(0x5eed);
  protected StorageServer server;

  /** A new, empty server. Called before every test; closed after it. */
  protected abstract StorageServer newServer() throws Exception;

  /**
   * Whether shares with offsets past 2 GiB can be exercised cheaply (sparse files or pages).
   * Backends that would have to move gigabytes answer false and the large-share tests then check
   * only that such offsets are accepted as longs where the backend can without moving data.
   */
  protected boolean supportsSparseLargeShares() {
    return true;
  }

  @BeforeEach
  void openServer() throws Exception {
    server = newServer();
    assertNotNull(server, "newServer() returned null");
  }

  @AfterEach
  void closeServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  protected StorageIndex randomSi() {
    byte[] b = new byte[StorageIndex.LENGTH];
    random.nextBytes(b);
    return StorageIndex.of(b);
  }

  protected byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  protected static WriteEnabler enabler(int seed) {
    byte[] b = new byte[WriteEnabler.LENGTH];
    java.util.Arrays.fill(b, (byte) seed);
    return WriteEnabler.of(b);
  }

  protected static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  protected static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Uploads and commits one immutable share. */
  protected void putImmutable(StorageIndex si, ShareNumber sh, byte[] data) throws StorageException {
    try (ImmutableUpload u = server.allocate(si, sh, data.length, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(data));
      u.commit();
    }
  }

  protected byte[] readAll(StorageIndex si, ShareNumber sh) throws StorageException {
    return bytes(server.read(si, sh, 0, StorageServer.MAX_READ_LENGTH));
  }

  protected TestAndWriteResult write(
      StorageIndex si, WriteEnabler we, ShareNumber sh, ShareTestAndWrite tw) throws StorageException {
    return server.testAndWrite(si, we, Map.of(sh, tw), List.of(), LeaseSecrets.random());
  }

  protected void putMutable(StorageIndex si, WriteEnabler we, ShareNumber sh, byte[] data)
      throws StorageException {
    TestAndWriteResult r = write(si, we, sh, new ShareTestAndWrite(
        List.of(TestVector.mustBeEmpty()), List.of(new WriteVector(0, data)), OptionalLong.empty()));
    assertTrue(r.success(), "creating a new mutable share must pass the must-be-empty test");
  }

  protected static ShareTestAndWrite writeAt(long offset, byte[] data) {
    return ShareTestAndWrite.writes(List.of(new WriteVector(offset, data)));
  }

  /** Where an upload over an existing share was refused. */
  protected enum RefusedAt {
    ALLOCATE,
    COMMIT
  }

  /**
   * Tries to upload {@code data} as {@code sh} where a share exists, and asserts what the SPI
   * promises: a {@link ShareConflictException} from {@code allocate} or, at the latest, from
   * {@code commit}, after which {@code abort} and {@code close} succeed.
   */
  protected RefusedAt assertUploadRefused(StorageIndex si, ShareNumber sh, byte[] data)
      throws StorageException {
    ImmutableUpload u;
    try {
      u = server.allocate(si, sh, data.length, LeaseSecrets.random());
    } catch (ShareConflictException e) {
      return RefusedAt.ALLOCATE;
    }
    try (u) {
      u.write(0, ByteBuffer.wrap(data));
      assertThrows(ShareConflictException.class, u::commit,
          "an upload over an existing share must fail at commit if allocate let it through");
      u.abort();
      u.abort();
    }
    return RefusedAt.COMMIT;
  }

  protected Set<ShareNumber> listed(StorageIndex si) throws StorageException {
    Set<ShareNumber> s = new HashSet<>();
    for (ShareInfo i : server.listShares(si)) {
      s.add(i.shareNumber());
    }
    return s;
  }

  protected ShareInfo info(StorageIndex si, ShareNumber sh) throws StorageException {
    for (ShareInfo i : server.listShares(si)) {
      if (i.shareNumber().equals(sh)) {
        return i;
      }
    }
    fail("share " + sh + " of " + si + " is not listed");
    return null;
  }

  // ---------------------------------------------------------------- identity

  @Test
  void identityIsStableAndDescribed() throws Exception {
    assertEquals(server.id(), server.id());
    assertTrue(server.permutationSeed().length > 0, "permutation seed must not be empty");
    assertFalse(server.location().isBlank(), "location must describe the server");
    assertNotNull(server.capabilities());
    // Checkers decide from it whether a quick call may run on their own thread.
    assertNotNull(server.locality(), "locality must be LOCAL or REMOTE");
  }

  @Test
  void unknownStorageIndexListsNothing() throws Exception {
    assertEquals(List.of(), server.listShares(randomSi()));
  }

  // ---------------------------------------------------------------- immutable visibility

  @Test
  void uploadIsInvisibleUntilCommit() throws Exception {
    StorageIndex si = randomSi();
    try (ImmutableUpload u = server.allocate(si, SH0, 10, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(randomBytes(10)));
      assertEquals(List.of(), server.listShares(si));
      assertThrows(ShareNotFoundException.class, () -> server.read(si, SH0, 0, 10));
      u.commit();
    }
    assertEquals(Set.of(SH0), listed(si));
  }

  @Test
  void committedShareIsListedAsImmutableWithItsSize() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH2, randomBytes(1234));
    ShareInfo i = info(si, SH2);
    assertEquals(ShareKind.IMMUTABLE, i.kind());
    assertEquals(1234, i.dataLength());
  }

  @Test
  void committedShareReadsBackExactly() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(100_000);
    putImmutable(si, SH0, data);
    assertArrayEquals(data, readAll(si, SH0));
    assertArrayEquals(
        java.util.Arrays.copyOfRange(data, 777, 777 + 5000), bytes(server.read(si, SH0, 777, 5000)));
  }

  @Test
  void abortLeavesNothingBehind() throws Exception {
    StorageIndex si = randomSi();
    ImmutableUpload u = server.allocate(si, SH0, 10, LeaseSecrets.random());
    u.write(0, ByteBuffer.wrap(randomBytes(10)));
    u.abort();
    assertEquals(List.of(), server.listShares(si));
    putImmutable(si, SH0, randomBytes(10));
    assertEquals(Set.of(SH0), listed(si));
  }

  @Test
  void closeWithoutCommitAborts() throws Exception {
    StorageIndex si = randomSi();
    try (ImmutableUpload u = server.allocate(si, SH0, 10, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(randomBytes(10)));
    }
    assertEquals(List.of(), server.listShares(si));
    try (ImmutableUpload u = server.allocate(si, SH0, 10, LeaseSecrets.random())) {
      assertEquals(10, u.allocatedSize());
    }
  }

  @Test
  void closeAfterCommitKeepsTheShare() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(50);
    ImmutableUpload u = server.allocate(si, SH1, 50, LeaseSecrets.random());
    u.write(0, ByteBuffer.wrap(data));
    u.commit();
    u.close();
    u.close();
    assertArrayEquals(data, readAll(si, SH1));
  }

  @Test
  void uploadReportsItsShareNumberAndSize() throws Exception {
    try (ImmutableUpload u = server.allocate(randomSi(), SH2, 4321, LeaseSecrets.random())) {
      assertEquals(SH2, u.shareNumber());
      assertEquals(4321, u.allocatedSize());
    }
  }

  @Test
  void listingWhileWritingShowsOnlyCommittedShares() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(20));
    try (ImmutableUpload u = server.allocate(si, SH1, 20, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(randomBytes(10)));
      assertEquals(Set.of(SH0), listed(si));
      u.write(10, ByteBuffer.wrap(randomBytes(10)));
      assertEquals(Set.of(SH0), listed(si));
      u.commit();
    }
    assertEquals(Set.of(SH0, SH1), listed(si));
  }

  // ---------------------------------------------------------------- immutable conflicts

  @Test
  void secondAllocateWhileUploadingConflicts() throws Exception {
    StorageIndex si = randomSi();
    try (ImmutableUpload u = server.allocate(si, SH0, 10, LeaseSecrets.random())) {
      assertThrows(ShareConflictException.class,
          () -> server.allocate(si, SH0, 10, LeaseSecrets.random()));
    }
  }

  @Test
  void uploadOverACommittedShareIsRefusedAndLeavesItIntact() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(10);
    putImmutable(si, SH0, data);
    putImmutable(si, SH1, randomBytes(10));
    List<ShareInfo> before = server.listShares(si);
    assertUploadRefused(si, SH0, randomBytes(10));
    assertUploadRefused(si, SH0, randomBytes(25));
    assertUploadRefused(si, SH0, new byte[0]);
    assertEquals(Set.copyOf(before), Set.copyOf(server.listShares(si)));
    assertArrayEquals(data, readAll(si, SH0));
    // The refused uploads hold no claim: another share of the index still goes through.
    byte[] other = randomBytes(10);
    putImmutable(si, SH2, other);
    assertArrayEquals(other, readAll(si, SH2));
  }

  @Test
  void shareCreatedDuringAnUploadWinsOverItsCommit() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(20);
    try (ImmutableUpload u = server.allocate(si, SH0, data.length, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(data));
      boolean mutableWritten;
      try {
        putMutable(si, enabler(3), SH0, ascii("mutable first"));
        mutableWritten = true;
      } catch (ShareConflictException e) {
        mutableWritten = false; // the server saw the upload in progress: also allowed
      }
      if (mutableWritten) {
        assertThrows(ShareConflictException.class, u::commit,
            "a commit must not overwrite a share created after allocate");
        u.abort();
        assertEquals(ShareKind.MUTABLE, info(si, SH0).kind());
        assertArrayEquals(ascii("mutable first"), readAll(si, SH0));
      } else {
        u.commit();
        assertEquals(ShareKind.IMMUTABLE, info(si, SH0).kind());
        assertArrayEquals(data, readAll(si, SH0));
      }
    }
    assertEquals(Set.of(SH0), listed(si));
  }

  @Test
  void concurrentUploadsOfTheSameShareAdmitExactlyOne() throws Exception {
    StorageIndex si = randomSi();
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<byte[]>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte[] data = randomBytes(64);
        results.add(pool.submit(() -> {
          start.await();
          ImmutableUpload u;
          try {
            u = server.allocate(si, SH0, data.length, LeaseSecrets.random());
          } catch (ShareConflictException e) {
            return null;
          }
          try (u) {
            u.write(0, ByteBuffer.wrap(data));
            u.commit();
          } catch (ShareConflictException e) {
            return null; // refused at commit: allowed, see StorageServer#allocate
          }
          return data;
        }));
      }
      start.countDown();
      List<byte[]> winners = new ArrayList<>();
      for (Future<byte[]> f : results) {
        byte[] won = f.get(30, TimeUnit.SECONDS);
        if (won != null) {
          winners.add(won);
        }
      }
      assertEquals(1, winners.size(), "exactly one concurrent upload of a share may succeed");
      assertEquals(Set.of(SH0), listed(si));
      assertArrayEquals(winners.get(0), readAll(si, SH0), "the winner's bytes, untouched by the losers");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentUploadsOfDifferentSharesAllSucceed() throws Exception {
    StorageIndex si = randomSi();
    int shares = 10;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> results = new ArrayList<>();
      for (int i = 0; i < shares; i++) {
        ShareNumber sh = ShareNumber.of(i);
        byte[] data = randomBytes(1000 + i);
        results.add(pool.submit(() -> {
          putImmutable(si, sh, data);
          return data;
        }));
      }
      for (int i = 0; i < shares; i++) {
        assertArrayEquals(results.get(i).get(30, TimeUnit.SECONDS), readAll(si, ShareNumber.of(i)));
      }
      assertEquals(shares, server.listShares(si).size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writesInAnyOrderAssembleTheShare() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(3000);
    try (ImmutableUpload u = server.allocate(si, SH0, data.length, LeaseSecrets.random())) {
      u.write(2000, ByteBuffer.wrap(data, 2000, 1000));
      u.write(0, ByteBuffer.wrap(data, 0, 1000));
      u.write(1000, ByteBuffer.wrap(data, 1000, 1000));
      u.commit();
    }
    assertArrayEquals(data, readAll(si, SH0));
  }

  @Test
  void retriedIdenticalWriteIsAccepted() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(100);
    try (ImmutableUpload u = server.allocate(si, SH0, 100, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(data, 0, 60));
      u.write(0, ByteBuffer.wrap(data, 0, 60));
      u.write(40, ByteBuffer.wrap(data, 40, 60));
      u.commit();
    }
    assertArrayEquals(data, readAll(si, SH0));
  }

  @Test
  void overlappingWriteWithDifferentBytesConflicts() throws Exception {
    StorageIndex si = randomSi();
    try (ImmutableUpload u = server.allocate(si, SH0, 100, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(new byte[50]));
      byte[] other = new byte[20];
      other[5] = 1;
      assertThrows(ShareConflictException.class, () -> u.write(40, ByteBuffer.wrap(other)));
    }
  }

  @Test
  void writePastAllocatedSizeIsRefused() throws Exception {
    try (ImmutableUpload u = server.allocate(randomSi(), SH0, 100, LeaseSecrets.random())) {
      assertThrows(ShareConflictException.class, () -> u.write(90, ByteBuffer.wrap(new byte[11])));
      assertThrows(ShareConflictException.class, () -> u.write(101, ByteBuffer.wrap(new byte[0])));
      assertThrows(ShareConflictException.class,
          () -> u.write(Long.MAX_VALUE - 2, ByteBuffer.wrap(new byte[10])));
      u.write(90, ByteBuffer.wrap(new byte[10]));
    }
  }

  @Test
  void negativeWriteOffsetIsInvalid() throws Exception {
    try (ImmutableUpload u = server.allocate(randomSi(), SH0, 100, LeaseSecrets.random())) {
      assertThrows(InvalidRequestException.class, () -> u.write(-1, ByteBuffer.wrap(new byte[1])));
    }
  }

  @Test
  void negativeAllocatedSizeIsInvalid() {
    assertThrows(InvalidRequestException.class,
        () -> server.allocate(randomSi(), SH0, -1, LeaseSecrets.random()));
  }

  @Test
  void writeAfterAbortConflicts() throws Exception {
    ImmutableUpload u = server.allocate(randomSi(), SH0, 10, LeaseSecrets.random());
    u.abort();
    assertThrows(ShareConflictException.class, () -> u.write(0, ByteBuffer.wrap(new byte[1])));
    assertThrows(ShareConflictException.class, u::commit);
  }

  @Test
  void writeAfterCommitConflicts() throws Exception {
    StorageIndex si = randomSi();
    ImmutableUpload u = server.allocate(si, SH0, 1, LeaseSecrets.random());
    u.write(0, ByteBuffer.wrap(new byte[] {7}));
    u.commit();
    assertThrows(ShareConflictException.class, () -> u.write(0, ByteBuffer.wrap(new byte[] {7})));
    assertArrayEquals(new byte[] {7}, readAll(si, SH0));
  }

  @Test
  void retriedCommitIsANoOp() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(30);
    ImmutableUpload u = server.allocate(si, SH0, 30, LeaseSecrets.random());
    u.write(0, ByteBuffer.wrap(data));
    u.commit();
    u.commit();
    assertArrayEquals(data, readAll(si, SH0));
    assertEquals(1, server.listShares(si).size());
  }

  @Test
  void retriedAbortIsHarmless() throws Exception {
    StorageIndex si = randomSi();
    ImmutableUpload u = server.allocate(si, SH0, 30, LeaseSecrets.random());
    u.abort();
    u.abort();
    u.close();
    assertEquals(List.of(), server.listShares(si));
  }

  @Test
  void abortAfterCommitIsRefusedAndKeepsTheShare() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(30);
    ImmutableUpload u = server.allocate(si, SH0, 30, LeaseSecrets.random());
    u.write(0, ByteBuffer.wrap(data));
    u.commit();
    assertThrows(ShareConflictException.class, u::abort);
    assertArrayEquals(data, readAll(si, SH0));
  }

  @Test
  void unwrittenRangesReadAsZeros() throws Exception {
    StorageIndex si = randomSi();
    try (ImmutableUpload u = server.allocate(si, SH0, 100, LeaseSecrets.random())) {
      u.write(10, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      u.commit();
    }
    byte[] expected = new byte[100];
    expected[10] = 1;
    expected[11] = 2;
    expected[12] = 3;
    assertArrayEquals(expected, readAll(si, SH0));
    assertEquals(100, info(si, SH0).dataLength());
  }

  @Test
  void emptyShareCanBeUploadedAndRead() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, new byte[0]);
    assertEquals(0, info(si, SH0).dataLength());
    assertEquals(0, server.read(si, SH0, 0, 10).remaining());
  }

  // ---------------------------------------------------------------- reads

  @Test
  void readAtTheEndIsEmpty() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(100));
    assertEquals(0, server.read(si, SH0, 100, 10).remaining());
  }

  @Test
  void readPastTheEndIsEmpty() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(100));
    assertEquals(0, server.read(si, SH0, 1000, 10).remaining());
    assertEquals(0, server.read(si, SH0, Long.MAX_VALUE, 10).remaining());
  }

  @Test
  void readStraddlingTheEndIsTruncatedNotPadded() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(100);
    putImmutable(si, SH0, data);
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 90, 100), bytes(server.read(si, SH0, 90, 50)));
  }

  @Test
  void zeroLengthReadIsEmpty() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(100));
    assertEquals(0, server.read(si, SH0, 5, 0).remaining());
  }

  @Test
  void readOfMissingShareIsNotFound() throws Exception {
    StorageIndex si = randomSi();
    assertThrows(ShareNotFoundException.class, () -> server.read(si, SH0, 0, 1));
    putImmutable(si, SH0, randomBytes(5));
    assertThrows(ShareNotFoundException.class, () -> server.read(si, SH1, 0, 1));
  }

  @Test
  void negativeReadOffsetIsInvalid() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(5));
    assertThrows(InvalidRequestException.class, () -> server.read(si, SH0, -1, 1));
  }

  @Test
  void negativeReadLengthIsInvalid() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(5));
    assertThrows(InvalidRequestException.class, () -> server.read(si, SH0, 0, -1));
  }

  @Test
  void hugeReadLengthIsInvalid() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(5));
    assertThrows(InvalidRequestException.class,
        () -> server.read(si, SH0, 0, StorageServer.MAX_READ_LENGTH + 1));
    assertThrows(InvalidRequestException.class, () -> server.read(si, SH0, 0, Integer.MAX_VALUE));
  }

  @Test
  void readResultIsNotAViewOfStoredData() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(16);
    putImmutable(si, SH0, data);
    ByteBuffer b = server.read(si, SH0, 0, 16);
    if (!b.isReadOnly()) {
      b.put(0, (byte) (b.get(0) ^ 0xff));
    }
    assertArrayEquals(data, readAll(si, SH0));
  }

  @Test
  void readVectorsCoverEveryShareOrTheChosenOnes() throws Exception {
    StorageIndex si = randomSi();
    byte[] a = randomBytes(40);
    byte[] b = randomBytes(40);
    putImmutable(si, SH0, a);
    putImmutable(si, SH2, b);
    List<ReadVector> rv = List.of(new ReadVector(0, 4), new ReadVector(38, 10));
    Map<ShareNumber, List<byte[]>> all = server.readVectors(si, Set.of(), rv);
    assertEquals(Set.of(SH0, SH2), all.keySet());
    assertArrayEquals(java.util.Arrays.copyOfRange(a, 0, 4), all.get(SH0).get(0));
    assertArrayEquals(java.util.Arrays.copyOfRange(b, 38, 40), all.get(SH2).get(1));
    Map<ShareNumber, List<byte[]>> some = server.readVectors(si, Set.of(SH2, SH1), rv);
    assertEquals(Set.of(SH2), some.keySet());
    assertEquals(Map.of(), server.readVectors(randomSi(), Set.of(), rv));
  }

  // ---------------------------------------------------------------- large shares

  @Test
  void immutableOffsetsBeyondTwoGibibytesAreLongs() throws Exception {
    if (!supportsSparseLargeShares()) {
      try (ImmutableUpload u = server.allocate(randomSi(), SH0, 3 * GIB, LeaseSecrets.random())) {
        assertEquals(3 * GIB, u.allocatedSize());
      }
      return;
    }
    StorageIndex si = randomSi();
    long size = 3 * GIB + 17;
    byte[] mid = randomBytes(64);
    byte[] tail = randomBytes(17);
    try (ImmutableUpload u = server.allocate(si, SH0, size, LeaseSecrets.random())) {
      u.write(2 * GIB + 5, ByteBuffer.wrap(mid));
      u.write(size - 17, ByteBuffer.wrap(tail));
      u.commit();
    }
    assertEquals(size, info(si, SH0).dataLength());
    assertArrayEquals(mid, bytes(server.read(si, SH0, 2 * GIB + 5, 64)));
    assertArrayEquals(tail, bytes(server.read(si, SH0, size - 17, 100)));
    assertArrayEquals(new byte[8], bytes(server.read(si, SH0, 2 * GIB - 8, 8)));
    assertEquals(0, server.read(si, SH0, size, 1).remaining());
  }

  @Test
  void mutableOffsetsBeyondTwoGibibytesAreLongs() throws Exception {
    if (!supportsSparseLargeShares()) {
      return;
    }
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("head"));
    byte[] far = randomBytes(32);
    long off = 2 * GIB + 100;
    assertTrue(write(si, we, SH0, writeAt(off, far)).success());
    assertEquals(off + 32, info(si, SH0).dataLength());
    assertArrayEquals(far, bytes(server.read(si, SH0, off, 32)));
    assertArrayEquals(new byte[16], bytes(server.read(si, SH0, GIB, 16)));
    assertArrayEquals(ascii("head"), bytes(server.read(si, SH0, 0, 4)));
  }

  // ---------------------------------------------------------------- space

  @Test
  void spaceReportIsSane() throws Exception {
    SpaceInfo s = server.space();
    assertTrue(s.available() >= 0);
    assertTrue(s.maximumImmutableShareSize() >= 0);
    assertTrue(s.maximumMutableShareSize() <= Math.max(s.available(), StorageServer.MAX_MUTABLE_SHARE_SIZE));
  }

  @Test
  void allocationBeyondReportedSpaceIsOutOfSpace() throws Exception {
    long max = server.space().maximumImmutableShareSize();
    StorageIndex si = randomSi();
    if (max < Long.MAX_VALUE / 4) {
      assertThrows(OutOfSpaceException.class,
          () -> server.allocate(si, SH0, Long.MAX_VALUE / 2, LeaseSecrets.random()));
      assertEquals(List.of(), server.listShares(si));
    } else {
      try (ImmutableUpload u = server.allocate(si, SH0, Long.MAX_VALUE / 2, LeaseSecrets.random())) {
        assertEquals(Long.MAX_VALUE / 2, u.allocatedSize());
      }
    }
    putImmutable(si, SH0, randomBytes(10));
  }

  // ---------------------------------------------------------------- mutable test-and-write

  @Test
  void testAndWriteCreatesAMutableShare() throws Exception {
    StorageIndex si = randomSi();
    putMutable(si, enabler(1), SH0, ascii("hello world"));
    ShareInfo i = info(si, SH0);
    assertEquals(ShareKind.MUTABLE, i.kind());
    assertEquals(11, i.dataLength());
    assertArrayEquals(ascii("hello world"), readAll(si, SH0));
  }

  @Test
  void failingTestChangesNothingAndStillReturnsReads() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("version-1"));
    TestAndWriteResult r = server.testAndWrite(si, we,
        Map.of(SH0, new ShareTestAndWrite(List.of(TestVector.prefixEquals(ascii("version-0"))),
            List.of(new WriteVector(0, ascii("version-2"))), OptionalLong.empty())),
        List.of(new ReadVector(0, 9)), LeaseSecrets.random());
    assertFalse(r.success());
    assertArrayEquals(ascii("version-1"), r.reads().get(SH0).get(0));
    assertArrayEquals(ascii("version-1"), readAll(si, SH0));
  }

  @Test
  void allTestsOfAllSharesPassBeforeAnyWriteIsApplied() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("aaaa"));
    putMutable(si, we, SH1, ascii("bbbb"));
    TestAndWriteResult r = server.testAndWrite(si, we, Map.of(
            SH0, new ShareTestAndWrite(List.of(TestVector.prefixEquals(ascii("aaaa"))),
                List.of(new WriteVector(0, ascii("AAAA"))), OptionalLong.empty()),
            SH1, new ShareTestAndWrite(List.of(TestVector.prefixEquals(ascii("xxxx"))),
                List.of(new WriteVector(0, ascii("BBBB"))), OptionalLong.empty()),
            SH2, new ShareTestAndWrite(List.of(TestVector.mustBeEmpty()),
                List.of(new WriteVector(0, ascii("CCCC"))), OptionalLong.empty())),
        List.of(), LeaseSecrets.random());
    assertFalse(r.success());
    assertArrayEquals(ascii("aaaa"), readAll(si, SH0));
    assertArrayEquals(ascii("bbbb"), readAll(si, SH1));
    assertEquals(Set.of(SH0, SH1), listed(si));
  }

  @Test
  void passingTestsApplyEveryWriteOfEveryShare() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("aaaa"));
    TestAndWriteResult r = server.testAndWrite(si, we, Map.of(
            SH0, new ShareTestAndWrite(List.of(TestVector.prefixEquals(ascii("aaaa"))),
                List.of(new WriteVector(0, ascii("AA")), new WriteVector(3, ascii("Z"))),
                OptionalLong.empty()),
            SH1, new ShareTestAndWrite(List.of(TestVector.mustBeEmpty()),
                List.of(new WriteVector(0, ascii("BBBB"))), OptionalLong.empty())),
        List.of(new ReadVector(0, 4)), LeaseSecrets.random());
    assertTrue(r.success());
    assertEquals(Set.of(SH0), r.reads().keySet(), "reads cover the shares that existed before");
    assertArrayEquals(ascii("aaaa"), r.reads().get(SH0).get(0), "reads happen before writes");
    assertArrayEquals(ascii("AAaZ"), readAll(si, SH0));
    assertArrayEquals(ascii("BBBB"), readAll(si, SH1));
  }

  @Test
  void laterWriteVectorsOverwriteEarlierOnes() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    assertTrue(write(si, we, SH0, ShareTestAndWrite.writes(List.of(
        new WriteVector(0, ascii("11111")), new WriteVector(1, ascii("22"))))).success());
    assertArrayEquals(ascii("12211"), readAll(si, SH0));
  }

  @Test
  void writeEnablerMismatchIsRefusedAndChangesNothing() throws Exception {
    StorageIndex si = randomSi();
    putMutable(si, enabler(1), SH0, ascii("mine"));
    assertThrows(WriteEnablerMismatchException.class,
        () -> write(si, enabler(2), SH0, writeAt(0, ascii("evil"))));
    assertArrayEquals(ascii("mine"), readAll(si, SH0));
  }

  @Test
  void writeEnablerIsCheckedAgainstEveryExistingShare() throws Exception {
    StorageIndex si = randomSi();
    putMutable(si, enabler(1), SH0, ascii("mine"));
    assertThrows(WriteEnablerMismatchException.class,
        () -> write(si, enabler(2), SH1, writeAt(0, ascii("new share"))));
    assertEquals(Set.of(SH0), listed(si));
  }

  @Test
  void writeEnablerMismatchIsRefusedEvenWithoutWrites() throws Exception {
    StorageIndex si = randomSi();
    putMutable(si, enabler(1), SH0, ascii("mine"));
    assertThrows(WriteEnablerMismatchException.class,
        () -> server.testAndWrite(si, enabler(3), Map.of(), List.of(new ReadVector(0, 4)),
            LeaseSecrets.random()));
  }

  @Test
  void newLengthZeroDeletesTheShare() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("doomed"));
    putMutable(si, we, SH1, ascii("stays"));
    assertTrue(write(si, we, SH0, new ShareTestAndWrite(List.of(), List.of(), OptionalLong.of(0))).success());
    assertEquals(Set.of(SH1), listed(si));
    assertThrows(ShareNotFoundException.class, () -> server.read(si, SH0, 0, 1));
    assertTrue(write(si, we, SH1, new ShareTestAndWrite(List.of(), List.of(), OptionalLong.of(0))).success());
    assertEquals(List.of(), server.listShares(si));
  }

  @Test
  void smallerNewLengthTruncatesAndLaterGrowthReadsZeros() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("0123456789"));
    assertTrue(write(si, we, SH0, new ShareTestAndWrite(List.of(), List.of(), OptionalLong.of(4))).success());
    assertEquals(4, info(si, SH0).dataLength());
    assertArrayEquals(ascii("0123"), readAll(si, SH0));
    assertTrue(write(si, we, SH0, writeAt(8, ascii("X"))).success());
    assertArrayEquals(new byte[] {'0', '1', '2', '3', 0, 0, 0, 0, 'X'}, readAll(si, SH0));
  }

  @Test
  void largerNewLengthDoesNotExtend() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("abc"));
    assertTrue(write(si, we, SH0, new ShareTestAndWrite(List.of(), List.of(), OptionalLong.of(100))).success());
    assertEquals(3, info(si, SH0).dataLength());
  }

  @Test
  void gapsInMutableWritesAreZeroFilled() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("ab"));
    assertTrue(write(si, we, SH0, writeAt(6, ascii("cd"))).success());
    assertArrayEquals(new byte[] {'a', 'b', 0, 0, 0, 0, 'c', 'd'}, readAll(si, SH0));
  }

  @Test
  void testsReadTruncatedData() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("short"));
    TestAndWriteResult pass = write(si, we, SH0, new ShareTestAndWrite(
        List.of(new TestVector(0, 1000, ascii("short"))), List.of(new WriteVector(0, ascii("S"))),
        OptionalLong.empty()));
    assertTrue(pass.success(), "a test longer than the data compares against the truncated data");
    TestAndWriteResult fail = write(si, we, SH0, new ShareTestAndWrite(
        List.of(new TestVector(3, 10, ascii("rt\0\0\0\0\0\0\0\0"))), List.of(new WriteVector(0, ascii("s"))),
        OptionalLong.empty()));
    assertFalse(fail.success(), "reads are truncated, never padded with zeros");
    assertArrayEquals(ascii("Short"), readAll(si, SH0));
  }

  @Test
  void missingShareReadsAsEmptyInTests() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    assertFalse(write(si, we, SH0, new ShareTestAndWrite(
        List.of(TestVector.prefixEquals(ascii("x"))), List.of(new WriteVector(0, ascii("y"))),
        OptionalLong.empty())).success());
    assertEquals(List.of(), server.listShares(si));
    assertTrue(write(si, we, SH0, new ShareTestAndWrite(
        List.of(new TestVector(10, 5, new byte[0])), List.of(new WriteVector(0, ascii("y"))),
        OptionalLong.empty())).success());
    assertArrayEquals(ascii("y"), readAll(si, SH0));
  }

  @Test
  void mustBeEmptyTestFailsOnceTheShareExists() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("first"));
    assertFalse(write(si, we, SH0, new ShareTestAndWrite(List.of(TestVector.mustBeEmpty()),
        List.of(new WriteVector(0, ascii("second"))), OptionalLong.empty())).success());
    assertArrayEquals(ascii("first"), readAll(si, SH0));
  }

  @Test
  void emptyWriteListStillCreatesTheShare() throws Exception {
    StorageIndex si = randomSi();
    assertTrue(write(si, enabler(1), SH0, ShareTestAndWrite.writes(List.of())).success());
    assertEquals(0, info(si, SH0).dataLength());
    assertEquals(ShareKind.MUTABLE, info(si, SH0).kind());
    assertThrows(WriteEnablerMismatchException.class,
        () -> write(si, enabler(2), SH0, writeAt(0, ascii("x"))));
  }

  @Test
  void readVectorsOfTestAndWriteCoverEveryExistingShare() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("zero"));
    putMutable(si, we, SH2, ascii("two!"));
    TestAndWriteResult r = server.testAndWrite(si, we, Map.of(), List.of(new ReadVector(1, 2)),
        LeaseSecrets.random());
    assertTrue(r.success());
    assertEquals(Set.of(SH0, SH2), r.reads().keySet());
    assertArrayEquals(ascii("wo"), r.reads().get(SH2).get(0));
  }

  @Test
  void mutableReadsAreTruncatedAtTheDataLength() throws Exception {
    StorageIndex si = randomSi();
    putMutable(si, enabler(1), SH0, ascii("abcdef"));
    assertArrayEquals(ascii("ef"), bytes(server.read(si, SH0, 4, 100)));
    assertEquals(0, server.read(si, SH0, 6, 100).remaining());
    Map<ShareNumber, List<byte[]>> rv =
        server.readVectors(si, Set.of(SH0), List.of(new ReadVector(5, 10), new ReadVector(50, 1)));
    assertArrayEquals(ascii("f"), rv.get(SH0).get(0));
    assertArrayEquals(new byte[0], rv.get(SH0).get(1));
  }

  @Test
  void retriedPlainWriteLeavesTheSameState() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    ShareTestAndWrite tw = writeAt(3, ascii("xyz"));
    assertTrue(write(si, we, SH0, tw).success());
    assertTrue(write(si, we, SH0, tw).success());
    assertArrayEquals(new byte[] {0, 0, 0, 'x', 'y', 'z'}, readAll(si, SH0));
  }

  @Test
  void mutableWritePastTheSizeLimitIsInvalid() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    assertThrows(InvalidRequestException.class,
        () -> write(si, we, SH0, writeAt(StorageServer.MAX_MUTABLE_SHARE_SIZE, ascii("x"))));
    assertThrows(InvalidRequestException.class,
        () -> write(si, we, SH0, writeAt(Long.MAX_VALUE - 1, ascii("xyz"))));
    assertEquals(List.of(), server.listShares(si));
  }

  @Test
  void hugeReadVectorInTestAndWriteIsInvalid() throws Exception {
    StorageIndex si = randomSi();
    assertThrows(InvalidRequestException.class,
        () -> server.testAndWrite(si, enabler(1), Map.of(),
            List.of(new ReadVector(0, StorageServer.MAX_READ_LENGTH + 1)), LeaseSecrets.random()));
  }

  @Test
  void hugeTestVectorLengthIsHandledWithoutAllocatingIt() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, ascii("data"));
    assertTrue(write(si, we, SH0, new ShareTestAndWrite(
        List.of(new TestVector(0, Integer.MAX_VALUE, ascii("data"))), List.of(), OptionalLong.empty()))
        .success());
  }

  @Test
  void concurrentTestAndWritesAreAtomic() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(1);
    putMutable(si, we, SH0, counter(0));
    int threads = 4;
    int attempts = 25;
    AtomicInteger successes = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(() -> {
          for (int i = 0; i < attempts; i++) {
            long seen = java.nio.ByteBuffer.wrap(readAll(si, SH0)).getLong();
            if (write(si, we, SH0, new ShareTestAndWrite(List.of(TestVector.prefixEquals(counter(seen))),
                List.of(new WriteVector(0, counter(seen + 1))), OptionalLong.empty())).success()) {
              successes.incrementAndGet();
            }
          }
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long finalValue = java.nio.ByteBuffer.wrap(readAll(si, SH0)).getLong();
    assertEquals(successes.get(), finalValue, "every successful compare-and-swap counted exactly once");
    assertTrue(successes.get() > 0);
  }

  private static byte[] counter(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  // ---------------------------------------------------------------- kinds do not mix

  @Test
  void testAndWriteOnAnImmutableStorageIndexConflicts() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(20);
    putImmutable(si, SH0, data);
    assertThrows(ShareConflictException.class,
        () -> write(si, enabler(1), SH1, writeAt(0, ascii("x"))));
    assertArrayEquals(data, readAll(si, SH0));
    assertEquals(Set.of(SH0), listed(si));
  }

  @Test
  void uploadOverAMutableShareIsRefusedAndLeavesItIntact() throws Exception {
    StorageIndex si = randomSi();
    putMutable(si, enabler(1), SH0, ascii("mutable"));
    assertUploadRefused(si, SH0, randomBytes(10));
    assertArrayEquals(ascii("mutable"), readAll(si, SH0));
    assertEquals(ShareKind.MUTABLE, info(si, SH0).kind());
  }

  // ---------------------------------------------------------------- advisories

  @Test
  void corruptionAdviceIsAcceptedForExistingAndIgnoredForMissingShares() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(20);
    putImmutable(si, SH0, data);
    server.adviseCorrupt(ShareKind.IMMUTABLE, si, SH0, "block hash mismatch in segment 0");
    server.adviseCorrupt(ShareKind.IMMUTABLE, si, SH1, "no such share");
    server.adviseCorrupt(ShareKind.MUTABLE, randomSi(), SH0, "unknown storage index");
    server.adviseCorrupt(ShareKind.IMMUTABLE, si, SH0, "hostile \u0000 text \n with: colons/"
        + "x".repeat(100_000));
    assertArrayEquals(data, readAll(si, SH0), "advice never changes the share");
  }

  // ---------------------------------------------------------------- optional capabilities

  @Test
  void replaceImmutableKeepsTheOldShareUntilCommit() throws Exception {
    StorageIndex si = randomSi();
    byte[] oldData = randomBytes(100);
    putImmutable(si, SH0, oldData);
    if (!server.capabilities().contains(Capability.REPLACE_IMMUTABLE)) {
      assertThrows(UnsupportedCapabilityException.class,
          () -> server.replaceImmutable(si, SH0, 100, LeaseSecrets.random()));
      return;
    }
    byte[] newData = randomBytes(120);
    try (ImmutableUpload u = server.replaceImmutable(si, SH0, 120, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(newData));
      assertArrayEquals(oldData, readAll(si, SH0));
      u.commit();
    }
    assertArrayEquals(newData, readAll(si, SH0));
    assertEquals(120, info(si, SH0).dataLength());
  }

  @Test
  void abortedReplaceLeavesTheOldShare() throws Exception {
    StorageIndex si = randomSi();
    byte[] oldData = randomBytes(100);
    putImmutable(si, SH0, oldData);
    if (!server.capabilities().contains(Capability.REPLACE_IMMUTABLE)) {
      assertThrows(UnsupportedCapabilityException.class,
          () -> server.replaceImmutable(si, SH0, 100, LeaseSecrets.random()));
      return;
    }
    try (ImmutableUpload u = server.replaceImmutable(si, SH0, 100, LeaseSecrets.random())) {
      u.write(0, ByteBuffer.wrap(randomBytes(100)));
      u.abort();
    }
    assertArrayEquals(oldData, readAll(si, SH0));
    assertThrows(ShareNotFoundException.class,
        () -> server.replaceImmutable(si, SH1, 10, LeaseSecrets.random()));
  }

  @Test
  void deleteShareRemovesOnlyThatShare() throws Exception {
    StorageIndex si = randomSi();
    putImmutable(si, SH0, randomBytes(10));
    putImmutable(si, SH1, randomBytes(10));
    if (!server.capabilities().contains(Capability.DELETE_SHARE)) {
      assertThrows(UnsupportedCapabilityException.class,
          () -> server.deleteShare(si, SH0, ShareKind.IMMUTABLE));
      return;
    }
    assertThrows(ShareNotFoundException.class, () -> server.deleteShare(si, SH0, ShareKind.MUTABLE));
    server.deleteShare(si, SH0, ShareKind.IMMUTABLE);
    assertEquals(Set.of(SH1), listed(si));
    assertThrows(ShareNotFoundException.class, () -> server.deleteShare(si, SH0, ShareKind.IMMUTABLE));
    putImmutable(si, SH0, randomBytes(5));
    assertEquals(Set.of(SH0, SH1), listed(si));
  }

  @Test
  void addLeaseRenewsExistingSharesAndRefusesMissingOnes() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(10);
    putImmutable(si, SH0, data);
    if (!server.capabilities().contains(Capability.LEASES)) {
      assertThrows(UnsupportedCapabilityException.class,
          () -> server.addLease(si, LeaseSecrets.random()));
      return;
    }
    LeaseSecrets lease = LeaseSecrets.random();
    server.addLease(si, lease);
    server.addLease(si, lease);
    assertArrayEquals(data, readAll(si, SH0), "leases never change share data");
    assertEquals(10, info(si, SH0).dataLength());
    assertThrows(ShareNotFoundException.class, () -> server.addLease(randomSi(), lease));
  }
}
