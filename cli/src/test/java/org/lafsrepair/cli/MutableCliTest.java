package org.lafsrepair.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.spi.StorageIndex;

/** put/check/repair/get of mutable files on a disk grid, through the CLI. */
class MutableCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void corruptAndMissingSharesOfAnSdmfFileAreRepairedFromTheVerifyCap(@TempDir Path tmp) throws Exception {
    Path grid = tmp.resolve("grid");
    assertEquals(0, CliRun.of("grid", "init", grid.toString(), "--servers", "10").exit());
    byte[] data = new byte[20_000];
    new Random(9).nextBytes(data);
    Path file = tmp.resolve("f");
    Files.write(file, data);
    CliRun put = CliRun.of("put", "--grid", grid.toString(), "--format", "sdmf", file.toString());
    assertEquals(0, put.exit(), put.err());
    String writeCap = put.out().trim();
    assertTrue(writeCap.startsWith("URI:SSK:"), writeCap);
    JsonNode capInfo = JSON.readTree(CliRun.of("cap", writeCap, "--json").out());
    String verifyCap = capInfo.get("verify-cap").asText();
    StorageIndex si = StorageIndex.parse(capInfo.get("storage-index").asText());
    List<Path> shares = CorpusCliTest.shareFiles(grid, si);
    assertEquals(10, shares.size());
    Files.delete(shares.get(0));
    Files.delete(shares.get(1));
    byte[] victim = Files.readAllBytes(shares.get(5));
    victim[468 + 1000] ^= 0x01; // a block byte (container header is 468 bytes)
    Files.write(shares.get(5), victim);

    CliRun repair = CliRun.of("repair", "--grid", grid.toString(), "--json", verifyCap);
    JsonNode report = JSON.readTree(repair.out());
    assertEquals(0, repair.exit(), repair.out() + repair.err());
    assertEquals(1, report.get("pre-repair-results").get("results").get("count-corrupt-shares").asInt());
    assertEquals(0, report.get("post-repair-results").get("results").get("count-corrupt-shares").asInt());
    assertEquals(10, report.get("post-repair-results").get("results").get("count-shares-good").asInt());

    Path out = tmp.resolve("out");
    assertEquals(0, CliRun.of("get", "--grid", grid.toString(), writeCap, "-o", out.toString()).exit());
    assertArrayEquals(data, Files.readAllBytes(out));
  }
}
