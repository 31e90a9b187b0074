package org.lafsrepair.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.spi.StorageIndex;

class QueueCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private record Result(int exit, String out, String err) {}

  private static Result run(String stdin, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      int exit = Main.run(args);
      return new Result(exit, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }

  private static String si(int n) {
    byte[] b = new byte[16];
    b[0] = (byte) n;
    return StorageIndex.of(b).toBase32();
  }

  private List<Path> workFiles(Path q) throws Exception {
    try (Stream<Path> s = Files.list(q)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")
          && Files.isRegularFile(p)).toList();
    }
  }

  @Test
  void enqueueWritesOneWorkFileFromArgumentsAndStdin() throws Exception {
    Path q = dir.resolve("q");
    String verify = "URI:CHK-Verifier:2ggryvmyiyqvcjkwqhxxe2eeqm:"
        + "rpoxj6xx3qcpbd4pcbokrn3lbd4pxi6ggomlm3yhfwmqllvi3soq:3:10:1000";
    Result r = run(si(3) + "\n\n# comment\n" + si(4) + "\n", "enqueue", "--queue", q.toString(),
        si(1), verify, "-", si(2));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("enqueued 5 items as enqueue-"), r.out());
    List<Path> files = workFiles(q);
    assertEquals(1, files.size());
    assertEquals(String.join("\n", si(1), verify, si(3), si(4), si(2)) + "\n",
        Files.readString(files.get(0)));
  }

  @Test
  void enqueueRefusesAnyBadItemAndAddsNothing() throws Exception {
    Path q = dir.resolve("q");
    Result r = run("", "enqueue", "--queue", q.toString(), si(1), "URI:CHK:garbage");
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("lafs-repair: bad item 'URI:CHK:garbage'"), r.err());
    assertTrue(r.err().contains("nothing enqueued"));
    assertTrue(!Files.exists(q) || workFiles(q).isEmpty());
  }

  @Test
  void statusReportsQueuedItemsAsJsonAndText() throws Exception {
    Path q = dir.resolve("q");
    assertEquals(0, run("", "enqueue", "--queue", q.toString(), si(1), si(2)).exit());
    assertEquals(0, run("", "enqueue", "--queue", q.toString(), si(3)).exit());
    Result r = run("", "status", "--queue", q.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode s = JSON.readTree(r.out());
    assertEquals(3, s.get("queued").asInt());
    assertEquals(0, s.get("running").asInt());
    assertEquals(0, s.get("done").asInt());
    assertEquals(0, s.get("failed-files").asInt());
    assertEquals(0, s.get("workers").asInt());
    assertTrue(s.get("eta-seconds").isNull(), "no rate, no ETA");
    for (String key : List.of("as-of", "retrying", "repaired", "healthy", "failed",
        "bytes-repaired", "items-per-second", "bytes-per-second")) {
      assertTrue(s.has(key), key);
    }
    Result text = run("", "status", "--queue", q.toString());
    assertEquals(0, text.exit());
    assertTrue(text.out().contains("queued:         3"), text.out());
    assertTrue(text.out().contains("eta:            unknown"), text.out());
  }

  @Test
  void statusOfAMissingQueueIsAUsageError() {
    Result r = run("", "status", "--queue", dir.resolve("nope").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("lafs-repair: no queue directory"), r.err());
  }

  @Test
  void serveWithABadGridIsAUsageErrorAndTouchesNoQueue() {
    Path q = dir.resolve("q");
    Result r = run("", "serve", "--grid", dir.resolve("no-grid").toString(), "--queue",
        q.toString(), "--once");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().startsWith("lafs-repair: bad grid"), r.err());
    assertTrue(!Files.exists(q));
  }

  @Test
  void serveOnceRepairsEveryQueuedFileAndDeletesTheWorkFile() throws Exception {
    Path grid = dir.resolve("grid");
    Path q = dir.resolve("q");
    assertEquals(0, run("", "grid", "init", grid.toString(), "--servers", "10").exit());
    List<String> verifyCaps = new java.util.ArrayList<>();
    try (org.lafsrepair.grid.Grid g = org.lafsrepair.grid.Grid.localDirectory(grid)) {
      java.util.Random rnd = new java.util.Random(5);
      for (int i = 0; i < 3; i++) {
        byte[] data = new byte[3000];
        rnd.nextBytes(data);
        org.lafsrepair.cap.Cap cap = new org.lafsrepair.client.Uploader(g)
            .uploadChk(org.lafsrepair.immutable.PlaintextSource.of(data));
        verifyCaps.add(cap.verifyCap().orElseThrow().format());
        StorageIndex si = cap.storageIndex().orElseThrow();
        for (org.lafsrepair.spi.StorageServer s : g.permutedServers(si).subList(0, 2)) {
          for (org.lafsrepair.spi.ShareInfo info : s.listShares(si)) {
            s.deleteShare(si, info.shareNumber(), org.lafsrepair.spi.ShareKind.IMMUTABLE);
          }
        }
      }
    }
    List<String> args = new java.util.ArrayList<>(List.of("enqueue", "--queue", q.toString()));
    args.addAll(verifyCaps);
    assertEquals(0, run("", args.toArray(String[]::new)).exit());
    Result r = run("", "serve", "--grid", grid.toString(), "--queue", q.toString(), "--once");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("lafs-repair: serve: 3 repaired, 0 healthy, 0 failed"), r.err());
    assertEquals(List.of(), workFiles(q));
    for (String cap : verifyCaps) {
      Result check = run("", "check", "--grid", grid.toString(), "--verify", cap);
      assertEquals(0, check.exit(), check.out() + check.err());
    }
    JsonNode s = JSON.readTree(run("", "status", "--queue", q.toString(), "--json").out());
    assertEquals(3, s.get("repaired").asInt());
    assertEquals(0, s.get("queued").asInt());
  }
}
