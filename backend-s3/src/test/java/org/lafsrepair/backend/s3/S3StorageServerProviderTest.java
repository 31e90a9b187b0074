package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.StorageServers;

class S3StorageServerProviderTest {
  @Test
  void serviceLoaderFindsTheS3Scheme() {
    assertInstanceOf(S3StorageServerProvider.class, StorageServers.provider("s3").orElseThrow());
  }

  @Test
  void opensAServerFromAnS3Uri() throws Exception {
    S3MockServer mock = S3MockServer.shared();
    String bucket = mock.createBucket();
    String old = System.getProperty("aws.accessKeyId");
    System.setProperty("aws.accessKeyId", "k");
    System.setProperty("aws.secretAccessKey", "s");
    try {
      URI uri = URI.create("s3://" + bucket + "/grid/node1?endpoint=" + mock.endpoint()
          + "&region=us-east-1&path-style=true&max-connections=8&part-size=6291456");
      try (StorageServer s = StorageServers.open(uri);
          S3StorageServer same = mock.backend(bucket, "grid/node1").build()) {
        assertEquals(same.id(), s.id());
        assertTrue(s.location().startsWith("s3://" + bucket + "/grid/node1"), s.location());
      }
    } finally {
      if (old == null) {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
  }

  @Test
  void malformedUrisAreRefusedUpFront() {
    S3StorageServerProvider p = new S3StorageServerProvider();
    assertThrows(InvalidRequestException.class, () -> S3StorageServerProvider.configure(URI.create("s3:///nobucket")));
    assertThrows(InvalidRequestException.class, () -> S3StorageServerProvider.configure(URI.create("file:///x")));
    assertThrows(InvalidRequestException.class, () -> S3StorageServerProvider.configure(URI.create("s3://Bad_Bucket/x")));
    assertThrows(InvalidRequestException.class, () -> S3StorageServerProvider.configure(URI.create("s3://bucket/x?colour=red")));
    assertThrows(InvalidRequestException.class, () -> S3StorageServerProvider.configure(URI.create("s3://bucket/x?part-size=12")));
    assertThrows(InvalidRequestException.class, () -> S3StorageServerProvider.configure(URI.create("s3://bucket/x?path-style=maybe")));
    assertThrows(InvalidRequestException.class, () -> S3StorageServerProvider.configure(URI.create("s3://bucket/x?region=a&region=b")));
    assertThrows(InvalidRequestException.class, () -> p.open(URI.create("s3://bucket/x?max-connections=0")));
  }
}
