package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteVector;

/**
 * A conditional write whose response is lost is retried by the SDK, and the retry then fails its
 * own condition. The backend must recognise its own write instead of reporting a conflict.
 */
class S3LostResponseTest {
  static final ShareNumber SH0 = ShareNumber.of(0);
  final S3MockServer mock = S3MockServer.shared();
  final Random random = new Random(3);
  LossyProxy proxy;
  S3StorageServer server;

  @BeforeEach
  void open() throws Exception {
    String bucket = mock.createBucket();
    proxy = new LossyProxy(mock.endpoint());
    server = S3StorageServer.builder(bucket)
        .prefix("n")
        .endpoint(proxy.endpoint())
        .region(S3MockServer.REGION)
        .pathStyle(true)
        .credentials(S3MockServer.credentials())
        .partSize(5 * S3StorageServer.MIB)
        .maxAttempts(3)
        .build();
  }

  @AfterEach
  void close() throws Exception {
    server.close();
    proxy.close();
  }

  StorageIndex si() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return StorageIndex.of(b);
  }

  static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /** Commits {@code size} random bytes with the commit's response dropped; the share must stand. */
  private void commitSurvivesALostResponse(int size) throws Exception {
    StorageIndex si = si();
    byte[] data = new byte[size];
    random.nextBytes(data);
    try (ImmutableUpload up = server.allocate(si, SH0, data.length, LeaseSecrets.random())) {
      up.write(0, ByteBuffer.wrap(data));
      proxy.dropNextResponseTo("If-None-Match");
      up.commit();
    }
    assertEquals(1, proxy.dropped.get());
    assertArrayEquals(data, array(server.read(si, SH0, 0, data.length)));
  }

  @Test
  void commitWhoseResponseWasLostStillSucceeds() throws Exception {
    commitSurvivesALostResponse(5000);
  }

  @Test
  void multipartCommitWhoseResponseWasLostStillSucceeds() throws Exception {
    commitSurvivesALostResponse(6 * 1024 * 1024);
  }

  @Test
  void mutableWriteWhoseResponseWasLostIsReportedAsApplied() throws Exception {
    StorageIndex si = si();
    WriteEnabler we = WriteEnabler.of(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    byte[] v1 = "version 1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] v2 = "version 2, longer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertTrue(server.testAndWrite(si, we, Map.of(SH0, new ShareTestAndWrite(List.of(TestVector.mustBeEmpty()),
        List.of(new WriteVector(0, v1)), OptionalLong.empty())), List.of(), LeaseSecrets.random()).success());
    proxy.dropNextResponseTo("If-Match");
    assertTrue(server.testAndWrite(si, we, Map.of(SH0, new ShareTestAndWrite(List.of(TestVector.prefixEquals(v1)),
        List.of(new WriteVector(0, v2)), OptionalLong.empty())), List.of(), LeaseSecrets.random()).success(),
        "the write landed on the first attempt; its lost answer must not turn into a failed test");
    assertEquals(1, proxy.dropped.get());
    assertArrayEquals(v2, array(server.read(si, SH0, 0, 100)));
  }
}
