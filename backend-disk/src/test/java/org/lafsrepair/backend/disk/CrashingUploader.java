package org.lafsrepair.backend.disk;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

/**
 * Child process for {@link CrashSafetyTest}: starts an upload, writes half of it, says READY and
 * waits to be killed with SIGKILL, never committing.
 */
public final class CrashingUploader {
  private CrashingUploader() {}

  public static void main(String[] args) throws Exception {
    DiskStorageServer s = DiskStorageServer.open(Path.of(args[0]));
    StorageIndex si = StorageIndex.parse(args[1]);
    ImmutableUpload u = s.allocate(si, ShareNumber.of(0), 1 << 20, LeaseSecrets.random());
    u.write(0, ByteBuffer.allocate(1 << 19));
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(120_000);
  }
}
