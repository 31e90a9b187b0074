package org.lafsrepair.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lafsrepair.service.QueueFixtures.assertStateClean;
import static org.lafsrepair.service.QueueFixtures.list;
import static org.lafsrepair.service.QueueFixtures.si;
import static org.lafsrepair.service.QueueFixtures.workFiles;
import static org.lafsrepair.service.QueueFixtures.writeWorkFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryWorkQueueTest {
  @TempDir Path dir;
  final FakeClock clock = new FakeClock();

  DirectoryWorkQueue open(String owner) throws IOException {
    return DirectoryWorkQueue.builder(dir).clock(clock).ownerId(owner)
        .leaseDuration(Duration.ofSeconds(30)).build();
  }

  static ItemResult ok(Claim c, Outcome o) {
    return new ItemResult(c.id(), c.item().text(), o, c.attempt(), o == Outcome.REPAIRED ? 100 : 0,
        o == Outcome.REPAIRED ? 1 : 0, Optional.empty());
  }

  static ItemResult bad(Claim c, Outcome o, String why) {
    return new ItemResult(c.id(), c.item().text(), o, c.attempt(), 0, 0, Optional.of(why));
  }

  @Test
  void fileIsDeletedOnceEveryItemIsRepairedOrHealthy() throws Exception {
    writeWorkFile(dir, "batch", "# a comment", si(1), "", "  " + si(2) + "  ");
    try (DirectoryWorkQueue q = open("w1")) {
      List<Claim> claims = q.claim(10);
      assertEquals(2, claims.size());
      assertEquals(new ItemId("batch", 2), claims.get(0).id());
      assertEquals(new ItemId("batch", 4), claims.get(1).id());
      assertEquals(si(2), claims.get(1).item().text());
      assertEquals(1, claims.get(0).attempt());
      q.complete(claims.get(0), ok(claims.get(0), Outcome.REPAIRED));
      assertEquals(List.of("batch"), workFiles(dir), "not deleted while an item is open");
      q.complete(claims.get(1), ok(claims.get(1), Outcome.HEALTHY));
      assertEquals(List.of(), workFiles(dir));
      assertEquals(List.of(), list(dir.resolve("failed")));
      assertStateClean(dir);
      assertTrue(q.claim(10).isEmpty());
    }
  }

  @Test
  void fileWithABadLineMovesToFailedWithReportAndGoodLinesAreStillProcessed() throws Exception {
    writeWorkFile(dir, "mixed", si(1), "not a cap at all", si(2), "URI:CHK-Verifier:x\u0001y");
    try (DirectoryWorkQueue q = open("w1")) {
      List<Claim> claims = q.claim(10);
      assertEquals(List.of(1, 3), claims.stream().map(c -> c.id().line()).toList(),
          "bad lines are never handed out, good ones are");
      q.complete(claims.get(0), ok(claims.get(0), Outcome.REPAIRED));
      q.complete(claims.get(1), ok(claims.get(1), Outcome.HEALTHY));
    }
    assertEquals(List.of(), workFiles(dir));
    assertEquals(List.of("mixed", "mixed.report.json"), list(dir.resolve("failed")));
    assertEquals(si(1) + "\nnot a cap at all\n" + si(2) + "\nURI:CHK-Verifier:x\u0001y\n",
        Files.readString(dir.resolve("failed/mixed")), "the file moves unchanged");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("failed/mixed.report.json").toFile());
    assertEquals("mixed", report.get("file").asText());
    JsonNode entries = report.get("entries");
    assertEquals(4, entries.size());
    assertEquals(1, entries.get(0).get("line").asInt());
    assertEquals("repaired", entries.get(0).get("outcome").asText());
    assertEquals(si(1), entries.get(0).get("item").asText());
    assertEquals(100, entries.get(0).get("bytes-written").asLong());
    assertTrue(entries.get(0).get("reason").isNull());
    assertEquals(2, entries.get(1).get("line").asInt());
    assertEquals("invalid", entries.get(1).get("outcome").asText());
    assertEquals("not a cap at all", entries.get(1).get("item").asText());
    assertTrue(entries.get(1).get("reason").asText().contains("storage index"));
    assertEquals("healthy", entries.get(2).get("outcome").asText());
    assertEquals("invalid", entries.get(3).get("outcome").asText());
    assertEquals("URI:CHK-Verifier:x\u0001y", entries.get(3).get("item").asText());
    assertStateClean(dir);
  }

  @Test
  void fileWithOnlyBadLinesFailsWithoutAnyClaim() throws Exception {
    writeWorkFile(dir, "junk", "garbage", "more garbage");
    try (DirectoryWorkQueue q = open("w1")) {
      assertTrue(q.claim(10).isEmpty());
    }
    assertEquals(List.of("junk", "junk.report.json"), list(dir.resolve("failed")));
  }

  @Test
  void failedItemsGoToFailedWithTheirReason() throws Exception {
    writeWorkFile(dir, "f", si(1), si(2));
    try (DirectoryWorkQueue q = open("w1")) {
      List<Claim> c = q.claim(10);
      q.complete(c.get(0), bad(c.get(0), Outcome.UNRECOVERABLE, "only 2 of 3 shares"));
      q.complete(c.get(1), ok(c.get(1), Outcome.REPAIRED));
    }
    JsonNode e = new ObjectMapper().readTree(dir.resolve("failed/f.report.json").toFile())
        .get("entries");
    assertEquals("unrecoverable", e.get(0).get("outcome").asText());
    assertEquals("only 2 of 3 shares", e.get(0).get("reason").asText());
    assertEquals("repaired", e.get(1).get("outcome").asText());
  }

  @Test
  void aSecondFailureOfTheSameNameDoesNotOverwriteTheFirst() throws Exception {
    try (DirectoryWorkQueue q = open("w1")) {
      for (int round = 0; round < 2; round++) {
        writeWorkFile(dir, "same", "bad line " + round);
        assertTrue(q.claim(10).isEmpty());
      }
    }
    assertEquals(List.of("same", "same.report.json", "same~2", "same~2.report.json"),
        list(dir.resolve("failed")));
    assertEquals("bad line 1\n", Files.readString(dir.resolve("failed/same~2")));
  }

  @Test
  void dotFilesAndDirectoriesAreIgnored() throws Exception {
    Files.writeString(dir.resolve(".incoming"), si(1) + "\n");
    Files.createDirectories(dir.resolve("subdir"));
    Files.writeString(dir.resolve("subdir/x"), si(2) + "\n");
    try (DirectoryWorkQueue q = open("w1")) {
      assertTrue(q.claim(10).isEmpty());
      Files.move(dir.resolve(".incoming"), dir.resolve("incoming"));
      List<Claim> c = q.claim(10);
      assertEquals(1, c.size());
      assertEquals("incoming", c.get(0).id().unit());
    }
    assertTrue(Files.exists(dir.resolve("subdir/x")));
  }

  @Test
  void emptyFileIsDeletedAsTriviallyDone() throws Exception {
    writeWorkFile(dir, "empty", "# nothing", "");
    try (DirectoryWorkQueue q = open("w1")) {
      assertTrue(q.claim(10).isEmpty());
    }
    assertEquals(List.of(), workFiles(dir));
    assertEquals(List.of(), list(dir.resolve("failed")));
  }

  @Test
  void oversizedFileFailsAsAWhole() throws Exception {
    writeWorkFile(dir, "big", si(1), si(2), si(3));
    try (DirectoryWorkQueue q = DirectoryWorkQueue.builder(dir).clock(clock).maxFileBytes(40)
        .build()) {
      assertTrue(q.claim(10).isEmpty());
    }
    assertTrue(Files.readString(dir.resolve("failed/big.report.json")).contains("split it"));
  }

  @Test
  void retryLaterHoldsTheItemUntilItsTimeAndCountsTheAttempt() throws Exception {
    writeWorkFile(dir, "r", si(1));
    try (DirectoryWorkQueue q = open("w1")) {
      Claim c = q.claim(10).get(0);
      q.retryLater(c, clock.instant().plusSeconds(60), "unrecoverable for now");
      assertEquals(Optional.of(clock.instant().plusSeconds(60)), q.nextRetry());
      assertTrue(q.claim(10).isEmpty());
      assertEquals(1, q.status().retryingItems());
      clock.advance(Duration.ofSeconds(59));
      q.heartbeat(WorkerStats.idle(clock.instant()));
      assertTrue(q.claim(10).isEmpty());
      clock.advance(Duration.ofSeconds(1));
      List<Claim> again = q.claim(10);
      assertEquals(1, again.size());
      assertEquals(2, again.get(0).attempt());
    }
  }

  @Test
  void retryScheduleSurvivesARestart() throws Exception {
    writeWorkFile(dir, "r", si(1));
    DirectoryWorkQueue q1 = open("w1");
    Claim c = q1.claim(10).get(0);
    q1.retryLater(c, clock.instant().plusSeconds(600), "later");
    // w1 dies without closing; its lease runs out.
    clock.advance(Duration.ofSeconds(31));
    try (DirectoryWorkQueue q2 = open("w2")) {
      assertTrue(q2.claim(10).isEmpty(), "the backoff is remembered");
      clock.advance(Duration.ofSeconds(600));
      q2.heartbeat(WorkerStats.idle(clock.instant()));
      Claim c2 = q2.claim(10).get(0);
      assertEquals(2, c2.attempt());
    }
  }

  @Test
  void journaledOutcomesAreNotRedoneAfterACrash() throws Exception {
    writeWorkFile(dir, "j", si(1), si(2), si(3));
    DirectoryWorkQueue q1 = open("w1");
    List<Claim> c = q1.claim(10);
    q1.complete(c.get(1), ok(c.get(1), Outcome.REPAIRED));
    // kill -9: no close. A new worker can take over once the lease is gone, not before.
    try (DirectoryWorkQueue q2 = open("w2")) {
      assertTrue(q2.claim(10).isEmpty(), "w1's lease is still live");
      clock.advance(Duration.ofSeconds(31));
      List<Claim> c2 = q2.claim(10);
      assertEquals(List.of(1, 3), c2.stream().map(x -> x.id().line()).toList());
      for (Claim x : c2) {
        q2.complete(x, ok(x, Outcome.HEALTHY));
      }
      assertEquals(List.of(), workFiles(dir));
      assertStateClean(dir);
      assertThrows(LeaseLostException.class,
          () -> q1.complete(c.get(0), ok(c.get(0), Outcome.HEALTHY)));
    }
  }

  @Test
  void liveLeaseKeepsOtherWorkersOutAndALapsedOneLosesTheFile() throws Exception {
    writeWorkFile(dir, "l", si(1), si(2));
    try (DirectoryWorkQueue a = open("a"); DirectoryWorkQueue b = open("b")) {
      List<Claim> ca = a.claim(1);
      assertEquals(1, ca.size());
      for (int i = 0; i < 5; i++) {
        clock.advance(Duration.ofSeconds(20));
        assertEquals(Set.of(), a.heartbeat(WorkerStats.idle(clock.instant())));
        assertTrue(b.claim(10).isEmpty(), "a keeps its lease by heartbeats");
      }
      clock.advance(Duration.ofSeconds(31));
      List<Claim> cb = b.claim(10);
      assertEquals(2, cb.size(), "b takes the whole file over");
      assertThrows(LeaseLostException.class, () -> a.complete(ca.get(0), ok(ca.get(0),
          Outcome.HEALTHY)));
      assertEquals(Set.of(new ItemId("l", 1), new ItemId("l", 2)),
          a.heartbeat(WorkerStats.idle(clock.instant())));
      assertThrows(LeaseLostException.class, () -> a.complete(ca.get(0), ok(ca.get(0),
          Outcome.HEALTHY)));
      for (Claim x : cb) {
        b.complete(x, ok(x, Outcome.HEALTHY));
      }
      assertEquals(List.of(), workFiles(dir));
    }
  }

  @Test
  void closeGivesClaimsBackAtOnce() throws Exception {
    writeWorkFile(dir, "c", si(1), si(2));
    DirectoryWorkQueue a = open("a");
    Claim first = a.claim(1).get(0);
    a.complete(first, ok(first, Outcome.REPAIRED));
    a.claim(1);
    a.close();
    try (DirectoryWorkQueue b = open("b")) {
      List<Claim> cb = b.claim(10);
      assertEquals(1, cb.size(), "only the unfinished item, no lease wait");
      assertEquals(2, cb.get(0).id().line());
    }
  }

  @Test
  void releasedItemIsClaimableAgainWithoutCountingAnAttempt() throws Exception {
    writeWorkFile(dir, "x", si(1));
    try (DirectoryWorkQueue q = open("w")) {
      Claim c = q.claim(1).get(0);
      assertTrue(q.claim(1).isEmpty());
      q.release(c);
      Claim again = q.claim(1).get(0);
      assertEquals(c.id(), again.id());
      assertEquals(1, again.attempt());
    }
  }

  @Test
  void aFileReplacedWhileWorkedOnIsKeptAndRedone() throws Exception {
    writeWorkFile(dir, "swap", si(1));
    DirectoryWorkQueue.StepHook replace = step -> {
      if (step.equals("before-final-record")) {
        writeWorkFile(dir, "swap", si(5), si(6));
      }
    };
    try (DirectoryWorkQueue q = DirectoryWorkQueue.builder(dir).clock(clock).ownerId("w")
        .stepHook(replace).build()) {
      Claim c = q.claim(10).get(0);
      q.complete(c, ok(c, Outcome.REPAIRED));
    }
    assertEquals(List.of("swap"), workFiles(dir));
    assertEquals(si(5) + "\n" + si(6) + "\n", Files.readString(dir.resolve("swap")));
    try (DirectoryWorkQueue q = open("w2")) {
      List<Claim> c = q.claim(10);
      assertEquals(List.of(si(5), si(6)), c.stream().map(x -> x.item().text()).toList());
    }
  }

  @Test
  void aStaleJournalOfAnEarlierFileWithTheSameNameIsIgnored() throws Exception {
    writeWorkFile(dir, "n", si(1), si(2));
    DirectoryWorkQueue q1 = open("w1");
    List<Claim> c = q1.claim(10);
    q1.complete(c.get(0), ok(c.get(0), Outcome.REPAIRED));
    // The file is replaced by different content under the same name, and the worker dies.
    Files.delete(dir.resolve("n"));
    writeWorkFile(dir, "n", si(7), si(8));
    clock.advance(Duration.ofSeconds(31));
    try (DirectoryWorkQueue q2 = open("w2")) {
      List<Claim> c2 = q2.claim(10);
      assertEquals(2, c2.size(), "nothing of the new file is done yet");
    }
  }

  @Test
  void statusCountsQueuedRunningRetryingFailedAndWorkerTotals() throws Exception {
    writeWorkFile(dir, "a", si(1), si(2));
    writeWorkFile(dir, "b", si(3));
    writeWorkFile(dir, "c", "bad");
    try (DirectoryWorkQueue q = open("w")) {
      QueueStatus s0 = DirectoryWorkQueue.readStatus(dir, clock);
      assertEquals(3, s0.queuedItems(), "the bad line is no work");
      List<Claim> c = q.claim(2);
      assertEquals(2, c.size());
      q.complete(c.get(0), ok(c.get(0), Outcome.REPAIRED));
      q.heartbeat(new WorkerStats(clock.instant(), 0, 1, 0, 100, 1, 2.0, 200.0));
      QueueStatus s = q.status();
      assertEquals(1, s.runningItems(), "a's second item, held by a live worker");
      assertEquals(1, s.queuedItems(), "b's item");
      assertEquals(1, s.repairedItems());
      assertEquals(100, s.bytesRepaired());
      assertEquals(1, s.liveWorkers());
      assertEquals(2.0, s.itemsPerSecond());
      assertEquals(Optional.of(Duration.ofSeconds(1)), s.eta());
      assertEquals(0, s.failedUnits());
    }
    QueueStatus after = DirectoryWorkQueue.readStatus(dir, clock);
    assertEquals(0, after.liveWorkers());
    assertEquals(0, after.runningItems());
    assertEquals(1, after.repairedItems(), "totals of stopped workers are kept");
  }

  @Test
  void enqueueWritesAtomicallyAndTheQueuePicksItUp() throws Exception {
    String name = DirectoryWorkQueue.enqueue(dir, List.of(WorkItem.parse(si(1)),
        WorkItem.parse(si(2))));
    assertFalse(name.startsWith("."));
    assertEquals(List.of(name), workFiles(dir));
    assertEquals(List.of(name), list(dir).stream().filter(n -> !n.equals(".state")
        && !n.equals("failed")).toList(), "no temp file left");
    try (DirectoryWorkQueue q = open("w")) {
      List<ItemId> ids = q.add(List.of(WorkItem.parse(si(3))));
      assertEquals(1, ids.get(0).line());
      assertEquals(3, q.claim(10).size());
    }
    assertEquals(si(1) + "\n" + si(2) + "\n", Files.readString(dir.resolve(name),
        StandardCharsets.UTF_8));
  }

  @Test
  void oldestFilesAreClaimedFirst() throws Exception {
    Path newer = writeWorkFile(dir, "aaa-newer", si(1));
    Path older = writeWorkFile(dir, "zzz-older", si(2));
    Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(newer, java.nio.file.attribute.FileTime.fromMillis(2_000_000));
    try (DirectoryWorkQueue q = open("w")) {
      assertEquals("zzz-older", q.claim(1).get(0).id().unit());
    }
  }

  @Test
  void completingAnUnclaimedItemIsABug() throws Exception {
    writeWorkFile(dir, "x", si(1));
    try (DirectoryWorkQueue q = open("w")) {
      Claim c = q.claim(1).get(0);
      q.release(c);
      assertThrows(IllegalStateException.class, () -> q.complete(c, ok(c, Outcome.HEALTHY)));
    }
  }

  @Test
  void aWorkerWhoseProcessIsGoneOnThisMachineIsTakenOverWithoutWaitingForItsLease()
      throws Exception {
    writeWorkFile(dir, "k", si(1));
    DirectoryWorkQueue ghost = open("ghost");
    assertEquals(1, ghost.claim(10).size());
    // Make the owner file name a process that has exited, as after kill -9.
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long deadPid = p.pid();
    Path ownerFile = dir.resolve(".state/owners/ghost.properties");
    java.util.Properties props = new java.util.Properties();
    try (var in = Files.newInputStream(ownerFile)) {
      props.load(in);
    }
    assertTrue(props.containsKey("machine"));
    props.setProperty("pid", Long.toString(deadPid));
    try (var out = Files.newOutputStream(ownerFile)) {
      props.store(out, null);
    }
    try (DirectoryWorkQueue q = open("next")) {
      assertEquals(1, q.claim(10).size(), "no wait for the 30 s lease");
      assertEquals(1, q.status().liveWorkers(), "the dead worker does not count as live");
    }
  }
}
