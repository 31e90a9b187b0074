package org.lafsrepair.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.service.DirectoryWorkQueue;
import org.lafsrepair.service.WorkItem;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * kill -9 resilience of {@code serve}: a child JVM draining a queue of damaged files on the disk
 * grid is killed with SIGKILL at random moments once its service runs, at least 20 times (the
 * queue is refilled with freshly damaged files whenever it empties, so every kill lands on work);
 * after a SIGTERM'd run and a final run the queue is finished, every file healthy, every work
 * file accounted for (deleted, or in failed/ with its report) and no state left behind.
 */
class ServeKillTest {
  private static final int FILES = 120;
  private static final int PER_WORK_FILE = 4;
  private static final int KILLS = 20;

  @TempDir Path dir;

  @Test
  void serveKilledAtRandomMomentsStillFinishesEveryWorkFile() throws Exception {
    Path gridDir = dir.resolve("grid");
    Path queue = dir.resolve("queue");
    assertEquals(0, Main.run("grid", "init", gridDir.toString(), "--servers", "10"));
    List<Cap> caps = new ArrayList<>();
    Random rnd = new Random(9);
    try (Grid grid = Grid.localDirectory(gridDir)) {
      Uploader up = new Uploader(grid);
      for (int i = 0; i < FILES; i++) {
        byte[] data = new byte[1000 + rnd.nextInt(3000)];
        rnd.nextBytes(data);
        caps.add(up.uploadChk(PlaintextSource.of(data)));
      }
    }
    Files.createDirectories(queue);
    Files.writeString(queue.resolve(".bad"), "not a cap\n"
        + caps.get(0).verifyCap().orElseThrow() + "\n");
    Files.move(queue.resolve(".bad"), queue.resolve("bad"));

    long t0 = System.nanoTime();
    int kills = 0;
    int runs = 0;
    int rounds = 0;
    long finishedDuringKills = 0;
    while (kills < KILLS) {
      if (rounds == 0 || workFiles(queue) == 0) {
        damage(gridDir, caps, rnd);
        enqueueAll(queue, caps);
        rounds++;
      }
      long before = workFiles(queue);
      Process p = serve(gridDir, queue, runs);
      awaitStarted(p, log(runs));
      // Let it finish an item or more (a cold JVM takes a while to claim and check), then kill.
      awaitJournaledOutcome(p, queue);
      runs++;
      if (!p.waitFor(rnd.nextInt(2000), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        kills++;
      }
      finishedDuringKills += before - workFiles(queue);
    }
    // A polite stop (SIGTERM) ends a run gracefully and gives its claims back.
    Process polite = serve(gridDir, queue, runs);
    awaitStarted(polite, log(runs));
    runs++;
    polite.destroy();
    assertTrue(polite.waitFor(60, TimeUnit.SECONDS), "SIGTERM stops serve");
    long t1 = System.nanoTime();
    Process last = serve(gridDir, queue, runs, "--threads", "2");
    assertTrue(last.waitFor(120, TimeUnit.SECONDS), "final run drains the queue");
    int exit = last.exitValue();
    assertTrue(exit == 0 || exit == 1, "exit " + exit + ": " + Files.readString(log(runs)));
    assertTrue(finishedDuringKills > 0, "killed runs finish work files too");
    System.err.printf("%d kills over %d rounds in %.1f s, %d work files finished between kills;"
        + " final run %.1f s%n", kills, rounds, (t1 - t0) / 1e9, finishedDuringKills,
        (System.nanoTime() - t1) / 1e9);

    assertEquals(0, workFiles(queue), "every work file finished");
    assertEquals(List.of("bad", "bad.report.json"), list(queue.resolve("failed")).stream()
        .filter(n -> !n.startsWith(".")).toList());
    JsonNode report = new ObjectMapper().readTree(queue.resolve("failed/bad.report.json")
        .toFile()).get("entries");
    assertEquals("invalid", report.get(0).get("outcome").asText());
    assertTrue(report.get(1).get("outcome").asText().matches("repaired|healthy"));
    for (String sub : List.of("journal", "claims", "trash")) {
      assertEquals(List.of(), list(queue.resolve(".state").resolve(sub)).stream()
          .filter(n -> !n.startsWith(".")).toList(), sub);
    }
    try (Grid grid = Grid.localDirectory(gridDir);
        Repairer repairer = Repairer.builder(grid).build()) {
      for (Cap c : caps) {
        assertTrue(repairer.checker().check(c, true).healthy(), c.storageIndex().toString());
      }
    }
  }

  private Path log(int run) {
    return dir.resolve("serve-" + run + ".log");
  }

  private Process serve(Path grid, Path queue, int run, String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "serve", "--grid",
        grid.toString(), "--queue", queue.toString(), "--once", "--retries", "1"));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(run).toFile())
        .start();
  }

  /** Waits until the child's service runs (its log says so), so a kill lands on real work. */
  private static void awaitStarted(Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (Files.exists(log) && Files.readString(log).contains("starting:")) {
        return;
      }
      Thread.sleep(20);
    }
    assertFalse(p.isAlive(), "serve did not start within 60 s");
  }

  /** Waits until some journal holds a final outcome ("F" record) or the process ends. */
  private static void awaitJournaledOutcome(Process p, Path queue) throws Exception {
    Path journals = queue.resolve(".state").resolve("journal");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && p.isAlive()) {
      try (Stream<Path> s = Files.list(journals)) {
        for (Path j : s.toList()) {
          try {
            if (Files.readString(j).contains(" F\t")) {
              return;
            }
          } catch (java.io.IOException e) {
            // finished and deleted meanwhile
          }
        }
      }
      Thread.sleep(20);
    }
  }

  private static void enqueueAll(Path queue, List<Cap> caps) throws Exception {
    for (int i = 0; i < caps.size(); i += PER_WORK_FILE) {
      List<WorkItem> items = new ArrayList<>();
      for (Cap c : caps.subList(i, Math.min(caps.size(), i + PER_WORK_FILE))) {
        items.add(WorkItem.of(c.verifyCap().orElseThrow()));
      }
      DirectoryWorkQueue.enqueue(queue, items);
    }
  }

  private static void damage(Path gridDir, List<Cap> caps, Random rnd) throws Exception {
    try (Grid grid = Grid.localDirectory(gridDir)) {
      for (Cap c : caps) {
        loseShares(grid, c.storageIndex().orElseThrow(), 1 + rnd.nextInt(3));
      }
    }
  }

  private static void loseShares(Grid grid, StorageIndex si, int count) throws Exception {
    int lost = 0;
    for (StorageServer s : grid.permutedServers(si)) {
      for (ShareInfo info : s.listShares(si)) {
        if (lost < count) {
          s.deleteShare(si, info.shareNumber(), ShareKind.IMMUTABLE);
          lost++;
        }
      }
    }
  }

  private static long workFiles(Path queue) throws Exception {
    return list(queue).stream().filter(n -> !n.startsWith(".") && !n.equals("failed")).count();
  }

  private static List<String> list(Path d) throws Exception {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
