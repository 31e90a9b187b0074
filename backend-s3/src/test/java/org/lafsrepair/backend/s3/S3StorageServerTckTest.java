package org.lafsrepair.backend.s3;

import java.util.concurrent.atomic.AtomicInteger;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.tck.PersistentStorageServerTck;

/** The whole SPI TCK, restart checks included, against S3 (a real in-process S3 server). */
class S3StorageServerTckTest extends PersistentStorageServerTck {
  private static final AtomicInteger NODES = new AtomicInteger();
  private static String bucket;

  @Override
  protected StorageServer newServer() throws Exception {
    S3MockServer mock = S3MockServer.shared();
    synchronized (S3StorageServerTckTest.class) {
      if (bucket == null) {
        bucket = mock.createBucket();
      }
    }
    // A fresh prefix is a fresh, empty server with its own node id.
    return mock.backend(bucket, "tck/node" + NODES.incrementAndGet()).build();
  }

  @Override
  protected StorageServer reopen(StorageServer old) throws Exception {
    S3StorageServer s3 = (S3StorageServer) old;
    s3.close();
    return S3MockServer.shared().backend(s3.bucket(), s3.prefix()).build();
  }

  /** Multi-gigabyte shares would move gigabytes through S3: the TCK then checks offsets only. */
  @Override
  protected boolean supportsSparseLargeShares() {
    return false;
  }
}
