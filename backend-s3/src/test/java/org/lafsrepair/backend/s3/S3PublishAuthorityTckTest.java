package org.lafsrepair.backend.s3;

import java.util.concurrent.atomic.AtomicInteger;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.tck.PublishAuthorityTck;

/** The publish-authority TCK against S3 (a real in-process S3 server). */
class S3PublishAuthorityTckTest extends PublishAuthorityTck {
  private static final AtomicInteger NODES = new AtomicInteger();
  private static String bucket;

  @Override
  protected StorageServer newServer() throws Exception {
    S3MockServer mock = S3MockServer.shared();
    synchronized (S3PublishAuthorityTckTest.class) {
      if (bucket == null) {
        bucket = mock.createBucket();
      }
    }
    return mock.backend(bucket, "pa/node" + NODES.incrementAndGet()).build();
  }
}
