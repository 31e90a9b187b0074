package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ServerUnavailableException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerMismatchException;
import org.lafsrepair.spi.WriteVector;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

/** Outages, races between writers, and how S3 error answers reach callers. */
class S3FaultTest {
  static final ShareNumber SH0 = ShareNumber.of(0);
  static S3MockServer own;
  final Random random = new Random(7);

  @BeforeAll
  static void start() {
    own = S3MockServer.start(); // this class stops and restarts it
  }

  @AfterAll
  static void stop() {
    own.close();
  }

  StorageIndex si() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return StorageIndex.of(b);
  }

  static WriteEnabler we(int fill) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) fill);
    return WriteEnabler.of(b);
  }

  static Map<ShareNumber, ShareTestAndWrite> replace(TestVector test, byte[] data) {
    return Map.of(SH0, new ShareTestAndWrite(List.of(test), List.of(new WriteVector(0, data)), OptionalLong.empty()));
  }

  static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void serverStoppedMidUploadLeavesNoVisibleShare() throws Exception {
    String bucket = own.createBucket();
    StorageIndex small = si();
    StorageIndex large = si();
    try (S3StorageServer s3 = own.backend(bucket, "n").partSize(5 * S3StorageServer.MIB).build()) {
      byte[] data = new byte[11 * 1024 * 1024];
      random.nextBytes(data);
      ImmutableUpload smallUp = s3.allocate(small, SH0, 1000, LeaseSecrets.random());
      smallUp.write(0, ByteBuffer.wrap(data, 0, 1000));
      ImmutableUpload largeUp = s3.allocate(large, SH0, data.length, LeaseSecrets.random());
      largeUp.write(0, ByteBuffer.wrap(data, 0, 6 * 1024 * 1024)); // part 1 is now in S3
      own.stop();
      try {
        assertThrows(ServerUnavailableException.class,
            () -> largeUp.write(6 * 1024 * 1024, ByteBuffer.wrap(data, 6 * 1024 * 1024, 5 * 1024 * 1024)));
        assertThrows(StorageException.class, largeUp::commit);
        assertThrows(ServerUnavailableException.class, smallUp::commit);
      } finally {
        own.restart();
      }
      assertTrue(s3.listShares(small).isEmpty());
      assertTrue(s3.listShares(large).isEmpty());
      // The large upload's parts outlived the outage; the stale-upload sweep removes them.
      assertEquals(1, s3.abortStaleUploads(Duration.ZERO));
      assertTrue(own.client().listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty());
      // And the server works again.
      try (ImmutableUpload up = s3.allocate(small, SH0, 3, LeaseSecrets.random())) {
        up.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        up.commit();
      }
      assertArrayEquals(new byte[] {1, 2, 3}, array(s3.read(small, SH0, 0, 3)));
    }
  }

  @Test
  void serverStoppedDuringTestAndWriteLeavesTheSlotAsItWas() throws Exception {
    String bucket = own.createBucket();
    StorageIndex si = si();
    byte[] v1 = "version 1".getBytes(StandardCharsets.US_ASCII);
    try (S3StorageServer s3 = own.backend(bucket, "n").build()) {
      assertTrue(s3.testAndWrite(si, we(5), replace(TestVector.mustBeEmpty(), v1), List.of(), LeaseSecrets.random()).success());
      own.stop();
      try {
        assertThrows(ServerUnavailableException.class, () -> s3.testAndWrite(si, we(5),
            replace(TestVector.prefixEquals(v1), "version 2".getBytes(StandardCharsets.US_ASCII)), List.of(),
            LeaseSecrets.random()));
        assertThrows(ServerUnavailableException.class, () -> s3.listShares(si));
      } finally {
        own.restart();
      }
      assertArrayEquals(v1, array(s3.read(si, SH0, 0, 100)));
      assertThrows(WriteEnablerMismatchException.class, () -> s3.testAndWrite(si, we(6),
          replace(TestVector.prefixEquals(v1), new byte[] {1}), List.of(), LeaseSecrets.random()));
    }
  }

  @Test
  void unreachableEndpointIsServerUnavailable() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    S3StorageServer.Builder b = S3StorageServer.builder("nobucket")
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .region("us-east-1")
        .pathStyle(true)
        .credentials(S3MockServer.credentials())
        .connectTimeout(Duration.ofMillis(500))
        .maxAttempts(1);
    assertThrows(ServerUnavailableException.class, b::build);
  }

  /** Two processes update the same slot from the same state: exactly one write lands. */
  @Test
  void racingWritersOfOneSlotExactlyOneWins() throws Exception {
    String bucket = own.createBucket();
    StorageIndex si = si();
    byte[] v0 = "seq0".getBytes(StandardCharsets.US_ASCII);
    byte[] va = "seq1-A".getBytes(StandardCharsets.US_ASCII);
    byte[] vb = "seq1-B".getBytes(StandardCharsets.US_ASCII);
    try (S3StorageServer a = own.backend(bucket, "n").build();
        S3StorageServer b = own.backend(bucket, "n").build()) {
      assertTrue(a.testAndWrite(si, we(1), replace(TestVector.mustBeEmpty(), v0), List.of(), LeaseSecrets.random()).success());
      CountDownLatch aDecided = new CountDownLatch(1);
      CountDownLatch bWrote = new CountDownLatch(1);
      AtomicBoolean first = new AtomicBoolean(true);
      a.slotWriteHook = s -> {
        if (first.getAndSet(false)) {
          aDecided.countDown();
          bWrote.await();
        }
      };
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<TestAndWriteResult> ra = pool.submit(
            () -> a.testAndWrite(si, we(1), replace(TestVector.prefixEquals(v0), va), List.of(), LeaseSecrets.random()));
        assertTrue(aDecided.await(10, TimeUnit.SECONDS));
        TestAndWriteResult rb = b.testAndWrite(si, we(1), replace(TestVector.prefixEquals(v0), vb), List.of(), LeaseSecrets.random());
        bWrote.countDown();
        assertTrue(rb.success());
        assertFalse(ra.get(10, TimeUnit.SECONDS).success(), "A re-tested after losing the race and saw B's write");
      } finally {
        pool.shutdownNow();
      }
      assertArrayEquals(vb, array(a.read(si, SH0, 0, 100)));
    }
  }

  /** Two processes create the same slot with different write enablers: one binds it. */
  @Test
  void racingCreatorsWithDifferentEnablersCannotBothBindTheSlot() throws Exception {
    String bucket = own.createBucket();
    StorageIndex si = si();
    try (S3StorageServer a = own.backend(bucket, "n").build();
        S3StorageServer b = own.backend(bucket, "n").build()) {
      CountDownLatch aBound = new CountDownLatch(1);
      CountDownLatch bTried = new CountDownLatch(1);
      a.slotWriteHook = s -> {
        aBound.countDown();
        bTried.await();
      };
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<TestAndWriteResult> ra = pool.submit(() -> a.testAndWrite(
            si, we(1), replace(TestVector.mustBeEmpty(), new byte[] {1}), List.of(), LeaseSecrets.random()));
        assertTrue(aBound.await(10, TimeUnit.SECONDS));
        Map<ShareNumber, ShareTestAndWrite> other = Map.of(ShareNumber.of(1), new ShareTestAndWrite(
            List.of(TestVector.mustBeEmpty()), List.of(new WriteVector(0, new byte[] {2})), OptionalLong.empty()));
        assertThrows(WriteEnablerMismatchException.class,
            () -> b.testAndWrite(si, we(2), other, List.of(), LeaseSecrets.random()));
        bTried.countDown();
        assertTrue(ra.get(10, TimeUnit.SECONDS).success());
      } finally {
        pool.shutdownNow();
      }
      assertEquals(1, a.listShares(si).size());
    }
  }

  /** Many threads incrementing one counter share through test-and-write: no update is lost. */
  @Test
  void concurrentReadModifyWriteLosesNoUpdate() throws Exception {
    String bucket = own.createBucket();
    StorageIndex si = si();
    try (S3StorageServer s3 = own.backend(bucket, "n").build()) {
      s3.testAndWrite(si, we(9), replace(TestVector.mustBeEmpty(), new byte[] {0}), List.of(), LeaseSecrets.random());
      int threads = 4;
      int each = 5;
      AtomicInteger attempts = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            while (true) {
              attempts.incrementAndGet();
              byte cur = array(s3.read(si, SH0, 0, 1))[0];
              TestAndWriteResult r = s3.testAndWrite(si, we(9),
                  replace(TestVector.prefixEquals(new byte[] {cur}), new byte[] {(byte) (cur + 1)}), List.of(), LeaseSecrets.random());
              if (r.success()) {
                break;
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertEquals(threads * each, array(s3.read(si, SH0, 0, 1))[0]);
    }
  }

  // --- error answers from a bare HTTP server -------------------------------------------------

  private static HttpServer answering(int status, String code, AtomicInteger hits) throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> {
      hits.incrementAndGet();
      byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
          + "</Code><Message>test</Message></Error>").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/xml");
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    http.start();
    return http;
  }

  private static S3StorageServer.Builder against(HttpServer http, int attempts) {
    return S3StorageServer.builder("bucket")
        .endpoint(URI.create("http://127.0.0.1:" + http.getAddress().getPort()))
        .region("us-east-1")
        .pathStyle(true)
        .credentials(AnonymousCredentialsProvider.create())
        .maxAttempts(attempts);
  }

  @Test
  void aStoreThatIgnoresConditionalWritesIsRefused() throws Exception {
    AtomicInteger puts = new AtomicInteger();
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> {
      byte[] body = new byte[0];
      if (ex.getRequestMethod().equals("GET")) {
        body = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".getBytes(StandardCharsets.US_ASCII);
      } else if (ex.getRequestMethod().equals("PUT")) {
        puts.incrementAndGet();
        ex.getRequestBody().readAllBytes();
      }
      ex.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef\"");
      ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    http.start();
    try {
      StorageException e = assertThrows(StorageException.class, against(http, 1)::build);
      assertTrue(e.getMessage().contains("ignored If-None-Match"), e.getMessage());
      assertEquals(1, puts.get());
      try (S3StorageServer readOnly = against(http, 1).requireConditionalWrites(false).build()) {
        assertEquals("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", readOnly.id().toBase32());
      }
    } finally {
      http.stop(0);
    }
  }

  @Test
  void throttlingIsRetriedThenReportedAsUnavailable() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    HttpServer http = answering(503, "SlowDown", hits);
    try {
      StorageException e = assertThrows(StorageException.class, against(http, 3)::build);
      assertInstanceOf(ServerUnavailableException.class, e);
      assertEquals(3, hits.get(), "the SDK retried the throttled request with backoff");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void accessDeniedIsAClearAuthError() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    HttpServer http = answering(403, "AccessDenied", hits);
    try {
      S3AccessDeniedException e = assertThrows(S3AccessDeniedException.class, against(http, 3)::build);
      assertTrue(e.getMessage().contains("access denied"), e.getMessage());
      assertEquals(1, hits.get(), "403 is not retried");
    } finally {
      http.stop(0);
    }
  }
}
