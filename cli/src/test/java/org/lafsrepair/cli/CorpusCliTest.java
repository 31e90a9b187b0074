package org.lafsrepair.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.backend.disk.DiskStorageServer;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.testing.SharedVectors;
import org.lafsrepair.testing.TahoeCorpus;

/**
 * The CLI on the real Tahoe share corpus, laid out as a grid directory exactly as Tahoe's
 * servers wrote it: our checker agrees with Tahoe's, and repair restores deleted shares byte for
 * byte on disk.
 */
class CorpusCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies a corpus case's server trees into a grid directory, with Tahoe's node ids. */
  static Path grid(JsonNode c, Path into) throws IOException {
    Path base = SharedVectors.tahoe().resolve(c.get("dir").asText());
    if (c.has("current_version_dir")) {
      base = SharedVectors.tahoe().resolve(c.get("current_version_dir").asText());
    }
    for (JsonNode server : c.get("servers")) {
      Path src = base.resolve("servers").resolve(server.get("dir").asText());
      Path dst = into.resolve(server.get("dir").asText());
      copyTree(src, dst);
      Files.createDirectories(dst.resolve("storage"));
      Files.writeString(dst.resolve("my_nodeid"), server.get("serverid_b32").asText() + "\n");
    }
    return into;
  }

  static void copyTree(Path src, Path dst) throws IOException {
    try (Stream<Path> walk = Files.walk(src)) {
      for (Path p : walk.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
          t.toFile().setWritable(true);
        }
      }
    }
  }

  static JsonNode tahoeCheck(JsonNode c) {
    if (c.has("tahoe_check_verify")) {
      return c.get("tahoe_check_verify");
    }
    JsonNode versions = c.get("versions");
    return versions.get(versions.size() - 1).get("tahoe_check_verify");
  }

  @Test
  void checkVerifyAgreesWithTahoesCheckerOnEveryCorpusCase(@TempDir Path tmp) throws Exception {
    for (JsonNode c : TahoeCorpus.cases()) {
      Path g = grid(c, tmp.resolve(c.get("name").asText()));
      String verify = c.get("caps").get("verify").asText();
      CliRun r = CliRun.of("check", "--grid", g.toString(), "--verify", "--json", verify);
      assertEquals(0, r.exit(), c.get("name") + ": " + r.err() + r.out());
      JsonNode ours = JSON.readTree(r.out()).get("results");
      JsonNode tahoe = tahoeCheck(c);
      String name = c.get("name").asText();
      assertEquals(tahoe.get("healthy").asBoolean(), ours.get("healthy").asBoolean(), name);
      assertEquals(tahoe.get("recoverable").asBoolean(), ours.get("recoverable").asBoolean(), name);
      for (String key : List.of("count_happiness", "count_shares_needed", "count_shares_expected",
          "count_shares_good", "count_good_share_hosts", "count_wrong_shares", "count_recoverable_versions",
          "count_unrecoverable_versions")) {
        assertEquals(tahoe.get(key).asInt(), ours.get(key.replace('_', '-')).asInt(), name + " " + key);
      }
      assertEquals(0, ours.get("count-corrupt-shares").asInt(), name);
      assertTrue(ours.get("verified").asBoolean());
      assertEquals(c.get("storage_index_b32").asText(), JSON.readTree(r.out()).get("storage-index").asText());
    }
  }

  @Test
  void repairOnDiskRestoresDeletedSharesByteForByte(@TempDir Path tmp) throws Exception {
    for (JsonNode c : TahoeCorpus.cases()) {
      String name = c.get("name").asText();
      int k = c.get("encoding").get("k").asInt();
      int n = c.get("encoding").get("N").asInt();
      if (k == n) {
        continue;
      }
      Path g = grid(c, tmp.resolve(name));
      StorageIndex si = StorageIndex.parse(c.get("storage_index_b32").asText());
      Map<Integer, byte[]> original = shareData(g, si);
      assertEquals(n, original.size(), name);
      // Delete N-k shares, primaries first, so every rebuilt block needs a real decode.
      int deleted = 0;
      for (Path share : shareFiles(g, si)) {
        if (deleted++ < n - k) {
          Files.delete(share);
        }
      }
      // Every other case with the reusing post-check: same report shape, same bytes.
      String postCheck = (name.hashCode() & 1) == 0 ? "fresh" : "reuse";
      CliRun r = CliRun.of("repair", "--grid", g.toString(), "--json", "--post-check", postCheck,
          c.get("caps").get("verify").asText());
      assertEquals(0, r.exit(), name + " (" + postCheck + "): " + r.err() + r.out());
      JsonNode report = JSON.readTree(r.out());
      assertTrue(report.get("repair-attempted").asBoolean(), name);
      assertTrue(report.get("repair-successful").asBoolean(), name);
      assertFalse(report.get("pre-repair-results").get("results").get("healthy").asBoolean());
      assertTrue(report.get("post-repair-results").get("results").get("healthy").asBoolean());
      assertEquals(n - k, report.get("shares-written").size(), name);
      Map<Integer, byte[]> after = shareData(g, si);
      for (int sh = 0; sh < n; sh++) {
        assertArrayEquals(original.get(sh), after.get(sh), name + " share " + sh);
      }
    }
  }

  @Test
  void unrecoverableFileExitsThreeAndChangesNothing(@TempDir Path tmp) throws Exception {
    JsonNode c = TahoeCorpus.cases().stream().filter(x -> x.get("name").asText().equals("chk-k3n10-1100000"))
        .findFirst().orElseThrow();
    Path g = grid(c, tmp.resolve("g"));
    StorageIndex si = StorageIndex.parse(c.get("storage_index_b32").asText());
    List<Path> files = shareFiles(g, si);
    for (int i = 0; i < 8; i++) {
      Files.delete(files.get(i));
    }
    CliRun bad = CliRun.of("repair", "--grid", g.toString(), "--post-check", "sometimes",
        c.get("caps").get("verify").asText());
    assertEquals(2, bad.exit(), bad.err());
    CliRun r = CliRun.of("repair", "--grid", g.toString(), c.get("caps").get("verify").asText());
    assertEquals(3, r.exit(), r.err());
    assertEquals(2, shareFiles(g, si).size());
    CliRun get = CliRun.of("get", "--grid", g.toString(), c.get("caps").get("read").asText(), "-o",
        tmp.resolve("out").toString());
    assertEquals(3, get.exit());
    assertTrue(get.err().startsWith("lafs-repair: "), get.err());
    assertFalse(Files.exists(tmp.resolve("out")), "no partial output file");
  }

  @Test
  void getReturnsEveryCorpusPlaintextEvenWithCorruptSharesMixedIn(@TempDir Path tmp) throws Exception {
    for (JsonNode c : TahoeCorpus.cases()) {
      String name = c.get("name").asText();
      Path g = grid(c, tmp.resolve(name));
      StorageIndex si = StorageIndex.parse(c.get("storage_index_b32").asText());
      List<Path> files = shareFiles(g, si);
      int k = c.get("encoding").get("k").asInt();
      // Corrupt a byte in the middle of the first share unless that would leave fewer than k.
      if (files.size() > k) {
        byte[] b = Files.readAllBytes(files.get(0));
        b[b.length / 2] ^= 0x20;
        Files.write(files.get(0), b);
      }
      Path out = tmp.resolve(name + ".out");
      CliRun r = CliRun.of("get", "--grid", g.toString(), c.get("caps").get("read").asText(), "-o", out.toString());
      assertEquals(0, r.exit(), name + ": " + r.err());
      String sha = java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out)));
      JsonNode plaintext = c.has("plaintext") ? c.get("plaintext")
          : c.get("versions").get(c.get("versions").size() - 1).get("plaintext");
      assertEquals(plaintext.get("sha256").asText(), sha, name);
    }
  }

  static List<Path> shareFiles(Path grid, StorageIndex si) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> servers = Files.list(grid)) {
      for (Path s : servers.sorted().toList()) {
        Path bucket = s.resolve("storage/shares").resolve(si.prefix()).resolve(si.toBase32());
        if (Files.isDirectory(bucket)) {
          try (Stream<Path> f = Files.list(bucket)) {
            out.addAll(f.toList());
          }
        }
      }
    }
    out.sort((a, b) -> Integer.compare(Integer.parseInt(a.getFileName().toString()),
        Integer.parseInt(b.getFileName().toString())));
    return out;
  }

  /** Share data (not containers: leases and write enablers legitimately differ) by share number. */
  static Map<Integer, byte[]> shareData(Path grid, StorageIndex si) throws Exception {
    Map<Integer, byte[]> out = new HashMap<>();
    try (Stream<Path> servers = Files.list(grid)) {
      for (Path s : servers.filter(p -> Files.isDirectory(p.resolve("storage"))).sorted().toList()) {
        try (DiskStorageServer server = DiskStorageServer.open(s)) {
          for (ShareInfo info : server.listShares(si)) {
            ByteBuffer b = server.read(si, info.shareNumber(), 0, (int) info.dataLength());
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.put(info.shareNumber().value(), bytes);
          }
        }
      }
    }
    return out;
  }
}
