package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.backend.disk.DiskGrid;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.client.Downloader;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.mutable.MutablePublisher;
import org.lafsrepair.repair.RepairResult;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/** Repair end to end on a grid of five disk servers and five S3 servers. */
class MixedGridRepairTest {
  @Test
  void filesOnAMixedDiskAndS3GridAreRepairedFromTheirVerifyCaps(@TempDir Path tmp) throws Exception {
    List<StorageServer> servers = new ArrayList<>();
    DiskGrid.init(tmp.resolve("disk"), 5);
    servers.addAll(DiskGrid.open(tmp.resolve("disk")));
    String bucket = S3MockServer.shared().createBucket();
    for (int i = 0; i < 5; i++) {
      servers.add(S3MockServer.shared().backend(bucket, "server" + i).build());
    }
    byte[] secret = new byte[32];
    try (Grid grid = Grid.builder().servers(servers).convergenceSecret(secret).leaseSecret(secret).build();
         Repairer repairer = Repairer.builder(grid).build()) {
      Random rnd = new Random(11);
      byte[] chkData = new byte[700_000];
      rnd.nextBytes(chkData);
      Cap chk = new Uploader(grid).uploadChk(PlaintextSource.of(chkData), EncodingParameters.DEFAULT, secret);
      byte[] mdmfData = new byte[150_000];
      rnd.nextBytes(mdmfData);
      Cap mdmf = MutablePublisher.builder().encoding(3, 10).leaseSecret(secret).build()
          .create(MutableFormat.MDMF, null, mdmfData, servers);

      for (Cap cap : List.of(chk, mdmf)) {
        StorageIndex si = cap.storageIndex().orElseThrow();
        ShareKind kind = cap == chk ? ShareKind.IMMUTABLE : ShareKind.MUTABLE;
        // Lose two shares on disk servers and two on S3 servers.
        int diskLost = 0;
        int s3Lost = 0;
        for (StorageServer s : servers) {
          boolean isS3 = s instanceof S3StorageServer;
          for (ShareInfo info : s.listShares(si)) {
            if (isS3 ? s3Lost < 2 : diskLost < 2) {
              s.deleteShare(si, info.shareNumber(), kind);
              if (isS3) {
                s3Lost++;
              } else {
                diskLost++;
              }
            }
          }
        }
        assertEquals(2, diskLost);
        assertEquals(2, s3Lost);
        RepairResult r = repairer.repair(cap.verifyCap().orElseThrow());
        assertTrue(r.successful(), cap.kind() + ": " + r.problems());
        assertEquals(4, r.written().size());
        assertEquals(10, r.post().goodShares());
        assertEquals(10, r.post().happiness());
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new Downloader(grid).download(chk, out);
      assertArrayEquals(chkData, out.toByteArray());
      out.reset();
      new Downloader(grid).download(mdmf, out);
      assertArrayEquals(mdmfData, out.toByteArray());
    }
  }
}
