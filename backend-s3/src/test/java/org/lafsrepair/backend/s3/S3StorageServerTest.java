package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ReadVector;
import org.lafsrepair.spi.ShareConflictException;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNotFoundException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerMismatchException;
import org.lafsrepair.spi.WriteVector;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Behaviour specific to the S3 backend, against a real in-process S3 server. */
class S3StorageServerTest {
  static final ShareNumber SH0 = ShareNumber.of(0);
  static final ShareNumber SH1 = ShareNumber.of(1);
  final Random random = new Random(42);
  final S3MockServer mock = S3MockServer.shared();
  String bucket;
  S3StorageServer server;

  @BeforeEach
  void open() throws Exception {
    bucket = mock.createBucket();
    server = mock.backend(bucket, "node-a").partSize(5 * S3StorageServer.MIB).build();
  }

  @AfterEach
  void close() {
    server.close();
  }

  StorageIndex si() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return StorageIndex.of(b);
  }

  byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  void upload(StorageIndex si, ShareNumber sh, byte[] data) throws Exception {
    try (ImmutableUpload up = server.allocate(si, sh, data.length, LeaseSecrets.random())) {
      up.write(0, ByteBuffer.wrap(data));
      up.commit();
    }
  }

  @Test
  void serverIdIsStoredOnceAndSharedBySameBucketAndPrefix() throws Exception {
    try (S3StorageServer again = mock.backend(bucket, "/node-a/").build();
        S3StorageServer other = mock.backend(bucket, "node-b").build()) {
      assertEquals(server.id(), again.id());
      assertNotEquals(server.id(), other.id());
    }
    String stored = mock.client().getObjectAsBytes(b -> b.bucket(bucket).key("node-a/node-id")).asUtf8String();
    assertEquals(server.id().toBase32() + "\n", stored);
  }

  @Test
  void shareObjectsUseTahoesKeyLayoutAndHoldExactlyTheShareData() throws Exception {
    StorageIndex si = si();
    byte[] data = bytes(1000);
    upload(si, ShareNumber.of(7), data);
    String key = "node-a/shares/" + si.toBase32().substring(0, 2) + "/" + si.toBase32() + "/7";
    byte[] stored = mock.client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    assertArrayEquals(data, stored);
    String kind = mock.client().headObject(b -> b.bucket(bucket).key(key)).metadata().get("lafs-kind");
    assertEquals("immutable", kind);
  }

  @Test
  void immutableShareIsInvisibleUntilCommit() throws Exception {
    StorageIndex si = si();
    byte[] data = bytes(4096);
    ImmutableUpload up = server.allocate(si, SH0, data.length, LeaseSecrets.random());
    up.write(0, ByteBuffer.wrap(data, 0, 2048));
    up.write(2048, ByteBuffer.wrap(data, 2048, 2048));
    assertTrue(server.listShares(si).isEmpty());
    assertThrows(ShareNotFoundException.class, () -> server.read(si, SH0, 0, 10));
    up.commit();
    assertEquals(List.of(new ShareInfo(SH0, ShareKind.IMMUTABLE, 4096)), server.listShares(si));
    assertArrayEquals(data, array(server.read(si, SH0, 0, 4096)));
  }

  @Test
  void rangedReadsAreTruncatedAtTheEnd() throws Exception {
    StorageIndex si = si();
    byte[] data = bytes(100);
    upload(si, SH0, data);
    assertArrayEquals(Arrays.copyOfRange(data, 90, 100), array(server.read(si, SH0, 90, 50)));
    assertEquals(0, server.read(si, SH0, 100, 5).remaining());
    assertEquals(0, server.read(si, SH0, 5000, 5).remaining());
    assertEquals(0, server.read(si, SH0, Long.MAX_VALUE - 2, 5).remaining());
    assertEquals(0, server.read(si, SH0, 3, 0).remaining());
    assertThrows(ShareNotFoundException.class, () -> server.read(si, SH1, 0, 0));
    assertThrows(InvalidRequestException.class, () -> server.read(si, SH0, -1, 5));
    assertThrows(InvalidRequestException.class, () -> server.read(si, SH0, 0, -5));
    assertThrows(InvalidRequestException.class, () -> server.read(si, SH0, 0, Integer.MAX_VALUE));
  }

  @Test
  void largeShareStreamsAsMultipartAndReadsBackExactly() throws Exception {
    StorageIndex si = si();
    byte[] data = bytes(12 * 1024 * 1024 + 17);
    try (ImmutableUpload up = server.allocate(si, SH0, data.length, LeaseSecrets.random())) {
      int chunk = 1 << 20;
      for (int off = 0; off < data.length; off += chunk) {
        up.write(off, ByteBuffer.wrap(data, off, Math.min(chunk, data.length - off)));
      }
      // The first two parts are complete, so they are already in S3 as parts.
      assertTrue(((S3ImmutableUpload) up).multipartUploadId() != null);
      // A retried write into a part already sent is accepted as a repeat ...
      up.write(0, ByteBuffer.wrap(data, 0, chunk));
      // ... but different bytes there are a conflict.
      byte[] other = Arrays.copyOf(data, chunk);
      other[5] ^= 1;
      assertThrows(ShareConflictException.class, () -> up.write(0, ByteBuffer.wrap(other)));
      assertTrue(server.listShares(si).isEmpty());
      up.commit();
    }
    assertEquals(data.length, server.listShares(si).get(0).dataLength());
    assertArrayEquals(data, mock.client().getObjectAsBytes(b -> b.bucket(bucket)
        .key("node-a/shares/" + si.prefix() + "/" + si + "/0")).asByteArray());
    assertArrayEquals(Arrays.copyOfRange(data, 5 * 1024 * 1024 - 3, 5 * 1024 * 1024 + 3),
        array(server.read(si, SH0, 5 * 1024 * 1024 - 3, 6)));
  }

  @Test
  void scatteredWritesBeyondTheBufferLimitAreRefusedNotBuffered() throws Exception {
    try (S3StorageServer small = mock.backend(bucket, "node-a").partSize(5 * S3StorageServer.MIB)
        .maxBufferedParts(2).build()) {
      StorageIndex si = si();
      ImmutableUpload up = small.allocate(si, SH0, 30L * 1024 * 1024, LeaseSecrets.random());
      up.write(0, ByteBuffer.wrap(bytes(10)));
      up.write(6L * 1024 * 1024, ByteBuffer.wrap(bytes(10)));
      assertThrows(InvalidRequestException.class, () -> up.write(12L * 1024 * 1024, ByteBuffer.wrap(bytes(10))));
      up.abort();
      assertTrue(small.listShares(si).isEmpty());
    }
  }

  @Test
  void overlappingWritesMustCarryIdenticalBytes() throws Exception {
    StorageIndex si = si();
    byte[] data = bytes(300);
    ImmutableUpload up = server.allocate(si, SH0, 300, LeaseSecrets.random());
    up.write(0, ByteBuffer.wrap(data, 0, 200));
    up.write(100, ByteBuffer.wrap(data, 100, 200));
    byte[] bad = Arrays.copyOfRange(data, 150, 250);
    bad[0] ^= 1;
    assertThrows(ShareConflictException.class, () -> up.write(150, ByteBuffer.wrap(bad)));
    assertThrows(ShareConflictException.class, () -> up.write(250, ByteBuffer.wrap(bytes(51))));
    up.commit();
    assertArrayEquals(data, array(server.read(si, SH0, 0, 300)));
    assertThrows(ShareConflictException.class, () -> up.write(0, ByteBuffer.wrap(data, 0, 1)));
  }

  String shareKey(StorageIndex si, ShareNumber sh) {
    return "node-a/shares/" + si.prefix() + "/" + si + "/" + sh.value();
  }

  /** Every object key under the storage index, and every multipart upload in the bucket. */
  List<String> residue(StorageIndex si) {
    List<String> keys = new java.util.ArrayList<>(
        mock.client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix("node-a/shares/" + si.prefix() + "/" + si + "/"))
            .contents().stream().map(S3Object::key).toList());
    mock.client().listMultipartUploads(r -> r.bucket(bucket)).uploads()
        .forEach(u -> keys.add("multipart:" + u.key()));
    return keys;
  }

  /** The operations a client sends, by SDK operation name, once per API call (not per attempt). */
  static final class OperationLog implements ExecutionInterceptor {
    final List<String> operations = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    }
  }

  @Test
  void smallUploadIsOnePutObjectAndNoHead() throws Exception {
    OperationLog log = new OperationLog();
    try (S3Client client = mock.newClientBuilder()
            .overrideConfiguration(o -> o.addExecutionInterceptor(log)).build();
        S3StorageServer counted = S3StorageServer.builder(bucket).prefix("node-a").client(client).build()) {
      StorageIndex si = si();
      byte[] data = bytes(4096);
      log.operations.clear();
      try (ImmutableUpload up = counted.allocate(si, SH0, data.length, LeaseSecrets.random())) {
        up.write(0, ByteBuffer.wrap(data));
        up.commit();
      }
      assertEquals(List.of("PutObject"), log.operations);
      assertArrayEquals(data, array(server.read(si, SH0, 0, data.length)));
    }
  }

  @Test
  void smallUploadOverAnExistingShareFailsAtCommitAndLeavesItByteIdentical() throws Exception {
    StorageIndex si = si();
    byte[] data = bytes(1000);
    upload(si, SH0, data);
    String key = shareKey(si, SH0);
    String etag = mock.client().headObject(b -> b.bucket(bucket).key(key)).eTag();
    List<ShareInfo> listed = server.listShares(si);
    try (S3StorageServer other = mock.backend(bucket, "node-a").build()) {
      for (S3StorageServer s : List.of(server, other)) {
        for (byte[] attempt : List.of(bytes(1000), bytes(3000), new byte[0])) {
          // The existing share is noticed by the conditional PUT, not by a lookup at allocate.
          ImmutableUpload up = s.allocate(si, SH0, attempt.length, LeaseSecrets.random());
          up.write(0, ByteBuffer.wrap(attempt));
          ShareConflictException e = assertThrows(ShareConflictException.class, up::commit);
          assertTrue(e.getMessage().contains("committed by another writer first"), e.getMessage());
          up.abort();
          up.close();
          assertThrows(ShareConflictException.class, () -> up.write(0, ByteBuffer.wrap(new byte[0])),
              "a failed commit finishes the upload");
        }
      }
    }
    assertArrayEquals(data, mock.client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    assertEquals(etag, mock.client().headObject(b -> b.bucket(bucket).key(key)).eTag());
    assertEquals(listed, server.listShares(si));
    assertEquals(List.of(key), residue(si), "no staged object, no multipart upload");
    // The failed upload released its in-process claim on the share.
    server.allocate(si, SH0, 10, LeaseSecrets.random()).close();
  }

  @Test
  void largeUploadOverAnExistingShareIsRefusedAtAllocate() throws Exception {
    StorageIndex si = si();
    byte[] data = bytes(6 * 1024 * 1024);
    upload(si, SH0, data);
    // Multipart: one HEAD next to many MiB, so nothing is staged for a share that cannot land.
    assertThrows(ShareConflictException.class, () -> server.allocate(si, SH0, data.length, LeaseSecrets.random()));
    assertEquals(List.of(shareKey(si, SH0)), residue(si));
    assertArrayEquals(data, array(server.read(si, SH0, 0, data.length)));
  }

  @Test
  void allocateRefusesAnUploadInProgressThroughTheSameServer() throws Exception {
    StorageIndex si = si();
    ImmutableUpload up = server.allocate(si, SH1, 10, LeaseSecrets.random());
    assertThrows(ShareConflictException.class, () -> server.allocate(si, SH1, 10, LeaseSecrets.random()));
    up.abort();
    up.abort();
    server.allocate(si, SH1, 10, LeaseSecrets.random()).close();
  }

  @Test
  void uploadersRacingThroughSeparateServersHaveExactlyOneWinner() throws Exception {
    int racers = 4;
    List<S3StorageServer> servers = new java.util.ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(racers);
    try {
      for (int i = 0; i < racers; i++) {
        servers.add(mock.backend(bucket, "node-a").build());
      }
      for (int round = 0; round < 4; round++) {
        StorageIndex si = si();
        java.util.concurrent.CyclicBarrier allAllocated = new java.util.concurrent.CyclicBarrier(racers);
        // S3Mock checks a condition and writes in two steps, so truly simultaneous commits could
        // both pass there (not on S3): the commits take turns, in an order changing every round.
        List<java.util.concurrent.CountDownLatch> turn = new java.util.ArrayList<>();
        for (int i = 0; i <= racers; i++) {
          turn.add(new java.util.concurrent.CountDownLatch(i == 0 ? 0 : 1));
        }
        List<Integer> order = new java.util.ArrayList<>(List.of(0, 1, 2, 3));
        java.util.Collections.shuffle(order, random);
        List<java.util.concurrent.Future<byte[]>> results = new java.util.ArrayList<>();
        for (int i = 0; i < racers; i++) {
          S3StorageServer s = servers.get(order.get(i));
          int myTurn = i;
          byte[] data = bytes(2000);
          results.add(pool.submit(() -> {
            try (ImmutableUpload up = s.allocate(si, SH0, data.length, LeaseSecrets.random())) {
              up.write(0, ByteBuffer.wrap(data));
              allAllocated.await(30, java.util.concurrent.TimeUnit.SECONDS);
              turn.get(myTurn).await();
              up.commit();
              return data;
            } catch (ShareConflictException e) {
              return null;
            } finally {
              turn.get(myTurn + 1).countDown();
            }
          }));
        }
        List<byte[]> winners = new java.util.ArrayList<>();
        for (java.util.concurrent.Future<byte[]> f : results) {
          byte[] won = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
          if (won != null) {
            winners.add(won);
          }
        }
        assertEquals(1, winners.size(), "exactly one uploader wins");
        assertArrayEquals(winners.get(0), array(server.read(si, SH0, 0, 2000)));
        assertEquals(List.of(shareKey(si, SH0)), residue(si));
      }
    } finally {
      pool.shutdownNow();
      servers.forEach(S3StorageServer::close);
    }
  }

  @Test
  void twoProcessesCommittingTheSameShareCannotOverwriteEachOther() throws Exception {
    try (S3StorageServer other = mock.backend(bucket, "node-a").build()) {
      StorageIndex si = si();
      byte[] a = bytes(50);
      byte[] b = bytes(50);
      ImmutableUpload ua = server.allocate(si, SH0, 50, LeaseSecrets.random());
      ImmutableUpload ub = other.allocate(si, SH0, 50, LeaseSecrets.random());
      ua.write(0, ByteBuffer.wrap(a));
      ub.write(0, ByteBuffer.wrap(b));
      ua.commit();
      assertThrows(ShareConflictException.class, ub::commit);
      assertArrayEquals(a, array(other.read(si, SH0, 0, 50)));
    }
  }

  @Test
  void twoProcessesCommittingTheSameLargeShareCannotOverwriteEachOther() throws Exception {
    try (S3StorageServer other = mock.backend(bucket, "node-a").partSize(5 * S3StorageServer.MIB).build()) {
      StorageIndex si = si();
      byte[] a = bytes(6 * 1024 * 1024);
      byte[] b = bytes(6 * 1024 * 1024);
      ImmutableUpload ua = server.allocate(si, SH0, a.length, LeaseSecrets.random());
      ImmutableUpload ub = other.allocate(si, SH0, b.length, LeaseSecrets.random());
      ua.write(0, ByteBuffer.wrap(a));
      ub.write(0, ByteBuffer.wrap(b));
      ub.commit();
      assertArrayEquals(b, array(server.read(si, SH0, 0, b.length)));
      assertThrows(ShareConflictException.class, ua::commit);
      // S3Mock (unlike S3) forgets the committed object when the loser's multipart upload of the
      // same key is aborted, so the winner's bytes are checked before the loser commits.
      assertTrue(mock.client().listMultipartUploads(r -> r.bucket(bucket)).uploads().isEmpty(),
          "the loser's multipart upload is aborted");
    }
  }

  @Test
  void abortedLargeUploadLeavesNoPartsBehind() throws Exception {
    StorageIndex si = si();
    ImmutableUpload up = server.allocate(si, SH0, 11L * 1024 * 1024, LeaseSecrets.random());
    up.write(0, ByteBuffer.wrap(bytes(6 * 1024 * 1024)));
    assertEquals(1, mock.client().listMultipartUploads(r -> r.bucket(bucket)).uploads().size());
    up.close();
    assertTrue(mock.client().listMultipartUploads(r -> r.bucket(bucket)).uploads().isEmpty());
    assertTrue(server.listShares(si).isEmpty());
  }

  @Test
  void staleMultipartUploadsOfDeadProcessesAreAborted() throws Exception {
    StorageIndex si = si();
    String key = "node-a/shares/" + si.prefix() + "/" + si + "/3";
    mock.client().createMultipartUpload(b -> b.bucket(bucket).key(key));
    ImmutableUpload live = server.allocate(si, SH0, 11L * 1024 * 1024, LeaseSecrets.random());
    live.write(0, ByteBuffer.wrap(bytes(6 * 1024 * 1024)));
    assertEquals(1, server.abortStaleUploads(Duration.ZERO));
    List<String> left = mock.client().listMultipartUploads(r -> r.bucket(bucket)).uploads().stream()
        .map(u -> u.key()).toList();
    assertEquals(List.of("node-a/shares/" + si.prefix() + "/" + si + "/0"), left);
    live.abort();
  }

  @Test
  void replaceImmutableSwapsContentAtCommitOnly() throws Exception {
    assertTrue(server.capabilities().containsAll(Set.of(Capability.REPLACE_IMMUTABLE, Capability.DELETE_SHARE)));
    StorageIndex si = si();
    byte[] old = bytes(64);
    byte[] fresh = bytes(80);
    upload(si, SH0, old);
    ImmutableUpload up = server.replaceImmutable(si, SH0, fresh.length, LeaseSecrets.random());
    up.write(0, ByteBuffer.wrap(fresh));
    assertArrayEquals(old, array(server.read(si, SH0, 0, 100)));
    up.commit();
    assertArrayEquals(fresh, array(server.read(si, SH0, 0, 100)));
    assertThrows(ShareNotFoundException.class, () -> server.replaceImmutable(si, SH1, 5, LeaseSecrets.random()));
  }

  @Test
  void deleteShareRemovesOnlyTheNamedKind() throws Exception {
    StorageIndex si = si();
    upload(si, SH0, bytes(5));
    assertThrows(ShareNotFoundException.class, () -> server.deleteShare(si, SH0, ShareKind.MUTABLE));
    server.deleteShare(si, SH0, ShareKind.IMMUTABLE);
    assertTrue(server.listShares(si).isEmpty());
    assertThrows(ShareNotFoundException.class, () -> server.deleteShare(si, SH0, ShareKind.IMMUTABLE));
  }

  // --- mutable -----------------------------------------------------------------------------

  static WriteEnabler we(int fill) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) fill);
    return WriteEnabler.of(b);
  }

  static Map<ShareNumber, ShareTestAndWrite> put(ShareNumber sh, TestVector test, byte[] data) {
    return Map.of(sh, new ShareTestAndWrite(test == null ? List.of() : List.of(test),
        List.of(new WriteVector(0, data)), OptionalLong.empty()));
  }

  @Test
  void mutableSlotIsBoundToItsWriteEnabler() throws Exception {
    StorageIndex si = si();
    byte[] v1 = "version one".getBytes(StandardCharsets.US_ASCII);
    TestAndWriteResult r = server.testAndWrite(si, we(1), put(SH0, TestVector.mustBeEmpty(), v1), List.of(), LeaseSecrets.random());
    assertTrue(r.success());
    assertEquals(List.of(new ShareInfo(SH0, ShareKind.MUTABLE, v1.length)), server.listShares(si));
    assertThrows(WriteEnablerMismatchException.class,
        () -> server.testAndWrite(si, we(2), put(SH1, null, v1), List.of(), LeaseSecrets.random()));
    assertEquals(1, server.listShares(si).size());
    byte[] slot = mock.client().getObjectAsBytes(b -> b.bucket(bucket)
        .key("node-a/shares/" + si.prefix() + "/" + si + "/slot")).asByteArray();
    assertEquals(SlotRecord.LENGTH, slot.length);
    assertFalse(new String(slot, StandardCharsets.ISO_8859_1).contains(new String(we(1).toBytes(), StandardCharsets.ISO_8859_1)),
        "the write enabler is stored hashed");
  }

  @Test
  void failedTestsWriteNothingAndReturnTheReads() throws Exception {
    StorageIndex si = si();
    byte[] v1 = bytes(40);
    server.testAndWrite(si, we(1), put(SH0, null, v1), List.of(), LeaseSecrets.random());
    TestAndWriteResult r = server.testAndWrite(si, we(1),
        put(SH0, TestVector.prefixEquals(new byte[] {1, 2, 3}), bytes(40)),
        List.of(new ReadVector(0, 4), new ReadVector(38, 10)), LeaseSecrets.random());
    assertFalse(r.success());
    assertArrayEquals(Arrays.copyOf(v1, 4), r.reads().get(SH0).get(0));
    assertArrayEquals(Arrays.copyOfRange(v1, 38, 40), r.reads().get(SH0).get(1));
    assertArrayEquals(v1, array(server.read(si, SH0, 0, 100)));
  }

  @Test
  void writesZeroFillGapsAndNewLengthTruncatesOrDeletes() throws Exception {
    StorageIndex si = si();
    WriteEnabler we = we(3);
    server.testAndWrite(si, we, Map.of(SH0, new ShareTestAndWrite(List.of(),
        List.of(new WriteVector(0, new byte[] {1, 2}), new WriteVector(5, new byte[] {9})), OptionalLong.empty())),
        List.of(), LeaseSecrets.random());
    assertArrayEquals(new byte[] {1, 2, 0, 0, 0, 9}, array(server.read(si, SH0, 0, 10)));
    server.testAndWrite(si, we, Map.of(SH0, new ShareTestAndWrite(List.of(), List.of(), OptionalLong.of(3))),
        List.of(), LeaseSecrets.random());
    assertArrayEquals(new byte[] {1, 2, 0}, array(server.read(si, SH0, 0, 10)));
    server.testAndWrite(si, we, Map.of(SH0, new ShareTestAndWrite(List.of(), List.of(), OptionalLong.of(0))),
        List.of(), LeaseSecrets.random());
    assertTrue(server.listShares(si).isEmpty());
    // The emptied slot is released: another writer may bind it now.
    assertTrue(server.testAndWrite(si, we(4), put(SH1, TestVector.mustBeEmpty(), new byte[] {7}), List.of(),
        LeaseSecrets.random()).success());
  }

  @Test
  void readVectorsCoverEveryShareInOneListing() throws Exception {
    StorageIndex si = si();
    byte[] a = bytes(2000);
    byte[] b = bytes(10);
    server.testAndWrite(si, we(1), Map.of(
        SH0, ShareTestAndWrite.writes(List.of(new WriteVector(0, a))),
        SH1, ShareTestAndWrite.writes(List.of(new WriteVector(0, b)))), List.of(), LeaseSecrets.random());
    List<ReadVector> vs = List.of(new ReadVector(0, 8), new ReadVector(1000, 16), new ReadVector(1990, 100), new ReadVector(5, 0));
    Map<ShareNumber, List<byte[]>> r = server.readVectors(si, Set.of(), vs);
    assertEquals(Set.of(SH0, SH1), r.keySet());
    assertArrayEquals(Arrays.copyOf(a, 8), r.get(SH0).get(0));
    assertArrayEquals(Arrays.copyOfRange(a, 1000, 1016), r.get(SH0).get(1));
    assertArrayEquals(Arrays.copyOfRange(a, 1990, 2000), r.get(SH0).get(2));
    assertEquals(0, r.get(SH0).get(3).length);
    assertArrayEquals(Arrays.copyOf(b, 8), r.get(SH1).get(0));
    assertEquals(0, r.get(SH1).get(1).length);
    assertEquals(Set.of(SH1), server.readVectors(si, Set.of(SH1), vs).keySet());
  }

  @Test
  void immutableAndMutableSharesDoNotMixInOneStorageIndex() throws Exception {
    StorageIndex si = si();
    upload(si, SH0, bytes(5));
    assertThrows(ShareConflictException.class,
        () -> server.testAndWrite(si, we(1), put(SH1, null, bytes(3)), List.of(), LeaseSecrets.random()));
  }

  @Test
  void adviseCorruptStoresAReportOnlyForExistingShares() throws Exception {
    StorageIndex si = si();
    server.adviseCorrupt(ShareKind.IMMUTABLE, si, SH0, "nothing here");
    upload(si, SH0, bytes(5));
    server.adviseCorrupt(ShareKind.IMMUTABLE, si, SH0, "block hash mismatch in segment 3");
    List<S3Object> reports = mock.client().listObjectsV2(b -> b.bucket(bucket).prefix("node-a/corruption-advisories/")).contents();
    assertEquals(1, reports.size());
    assertTrue(reports.get(0).key().endsWith("--" + si + "-0"));
    String text = mock.client().getObjectAsBytes(b -> b.bucket(bucket).key(reports.get(0).key())).asUtf8String();
    assertTrue(text.contains("block hash mismatch in segment 3"));
  }

  @Test
  void foreignObjectsUnderAStorageIndexAreIgnored() throws Exception {
    StorageIndex si = si();
    String dir = "node-a/shares/" + si.prefix() + "/" + si + "/";
    for (String name : List.of("007", "256", "-1", "x", "3.tmp")) {
      mock.client().putObject(b -> b.bucket(bucket).key(dir + name), RequestBody.fromString("junk"));
    }
    assertTrue(server.listShares(si).isEmpty());
  }

  @Test
  void closedServerRefusesWork() {
    server.close();
    server.close();
    assertThrows(org.lafsrepair.spi.ServerUnavailableException.class, () -> server.listShares(si()));
  }
}
