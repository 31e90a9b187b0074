package org.lafsrepair.backend.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteVector;

/** A process killed mid-upload leaves no visible share, and the next server start tidies up. */
class CrashSafetyTest {
  @TempDir Path temp;

  private static final StorageIndex SI = StorageIndex.parse("astdnkugdb6eoq47ko3kgnxoye");
  private static final ShareNumber SH0 = ShareNumber.of(0);

  @Test
  void killedUploaderLeavesNoVisibleShareAndIncomingIsWipedAtStart() throws Exception {
    Path dir = temp.resolve("server");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CrashingUploader.class.getName(), dir.toString(), SI.toBase32())
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      boolean ready = false;
      while ((line = r.readLine()) != null) {
        if (line.equals("READY")) {
          ready = true;
          break;
        }
      }
      assertTrue(ready, "child reached the middle of its upload");
      Path incoming = dir.resolve("storage/shares/incoming").resolve(SI.prefix()).resolve(SI.toBase32()).resolve("0");
      assertTrue(Files.exists(incoming), "the upload in progress lives under incoming/");
      assertFalse(Files.exists(dir.resolve("storage/shares").resolve(SI.prefix()).resolve(SI.toBase32()).resolve("0")),
          "nothing is visible yet (the bucket directory may exist, empty, as with Tahoe)");
    } finally {
      p.destroyForcibly();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
    try (DiskStorageServer s = DiskStorageServer.open(dir)) {
      assertEquals(List.of(), s.listShares(SI));
      try (Stream<Path> left = Files.walk(dir.resolve("storage/shares/incoming"))) {
        assertEquals(1, left.count(), "incoming/ is empty after start");
      }
      try (ImmutableUpload u = s.allocate(SI, SH0, 3, LeaseSecrets.random())) {
        u.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        u.commit();
      }
      assertEquals(1, s.listShares(SI).size());
    }
  }

  @Test
  void crashMidMutableRewriteLeavesTheOldContainer() throws Exception {
    Path dir = temp.resolve("m");
    byte[] weBytes = new byte[32];
    weBytes[0] = 1;
    WriteEnabler we = WriteEnabler.of(weBytes);
    try (DiskStorageServer s = DiskStorageServer.open(dir)) {
      s.testAndWrite(SI, we, Map.of(SH0, ShareTestAndWrite.writes(List.of(new WriteVector(0, "old".getBytes(StandardCharsets.US_ASCII))))),
          List.of(), LeaseSecrets.random());
    }
    // What a crash between writing the new copy and renaming it leaves behind.
    Path tmp = dir.resolve("storage/shares/incoming").resolve(SI.prefix()).resolve(SI.toBase32()).resolve("0.mutable");
    Files.createDirectories(tmp.getParent());
    Files.write(tmp, new byte[] {9, 9, 9});
    try (DiskStorageServer s = DiskStorageServer.open(dir)) {
      byte[] got = new byte[3];
      s.read(SI, SH0, 0, 10).get(got);
      assertArrayEquals("old".getBytes(StandardCharsets.US_ASCII), got);
      assertFalse(Files.exists(tmp));
      assertEquals(true, s.testAndWrite(SI, we, Map.of(SH0, new ShareTestAndWrite(List.of(),
          List.of(new WriteVector(0, "new".getBytes(StandardCharsets.US_ASCII))), OptionalLong.empty())),
          List.of(), LeaseSecrets.random()).success());
    }
  }
}
