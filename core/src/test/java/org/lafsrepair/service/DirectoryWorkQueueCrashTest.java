package org.lafsrepair.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lafsrepair.service.QueueFixtures.assertStateClean;
import static org.lafsrepair.service.QueueFixtures.list;
import static org.lafsrepair.service.QueueFixtures.si;
import static org.lafsrepair.service.QueueFixtures.workFiles;
import static org.lafsrepair.service.QueueFixtures.writeWorkFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulates kill -9 at every step of the queue's crash-relevant operations (claim, journal
 * appends, report, moves, deletes), then a restart by a new worker, and checks that every work
 * file is accounted for, nothing is deleted early, and no journaled outcome is redone. A second
 * crash during the recovery is thrown in too.
 */
class DirectoryWorkQueueCrashTest {
  @TempDir Path root;

  /** A crash: unwinds the worker without any cleanup, like kill -9 would. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String step) {
      super("crash at " + step, null, false, false);
    }
  }

  static final class Run {
    int steps;
    int crashes;
    final Set<String> stepsSeen = new HashSet<>();
    final Map<String, Integer> completions = new HashMap<>();
  }

  private Run run(Path dir, int... crashAt) throws Exception {
    writeWorkFile(dir, "a", si(1), si(2));
    writeWorkFile(dir, "b", si(3), "junk", si(4));
    writeWorkFile(dir, "c", si(5));
    writeWorkFile(dir, "d", si(6));
    FakeClock clock = new FakeClock();
    Run run = new Run();
    Set<String> journaled = new HashSet<>();
    String[] current = new String[1];
    int instance = 0;
    while (true) {
      int crashStep = instance < crashAt.length ? crashAt[instance] : -1;
      AtomicInteger steps = new AtomicInteger();
      DirectoryWorkQueue.StepHook hook = step -> {
        run.stepsSeen.add(step);
        run.steps++;
        if (step.equals("final-recorded")) {
          journaled.add(current[0]);
        }
        if (steps.incrementAndGet() == crashStep) {
          throw new SimulatedCrash(step);
        }
      };
      DirectoryWorkQueue q = null;
      try {
        // Strict (fsync per outcome) and background-synced journals alike, by turns.
        Duration sync = crashAt.length > 0 && crashAt[0] % 2 == 0 ? Duration.ZERO
            : DirectoryWorkQueue.DEFAULT_SYNC_INTERVAL;
        q = DirectoryWorkQueue.builder(dir).clock(clock).ownerId("w" + instance).stepHook(hook)
            .leaseDuration(Duration.ofSeconds(30)).syncInterval(sync).build();
        while (true) {
          List<Claim> claims = q.claim(100);
          if (claims.isEmpty()) {
            Optional<java.time.Instant> next = q.nextRetry();
            if (next.isEmpty()) {
              break;
            }
            clock.advance(Duration.between(clock.instant(), next.get()).plusMillis(1));
            q.heartbeat(WorkerStats.idle(clock.instant()));
            continue;
          }
          for (Claim c : claims) {
            String item = c.item().text();
            assertFalse(journaled.contains(item), item + " was journaled done, yet redone");
            current[0] = item;
            if (item.equals(si(6)) && c.attempt() == 1) {
              q.retryLater(c, clock.instant().plusSeconds(10), "not yet");
              continue;
            }
            ItemResult r = item.equals(si(5))
                ? new ItemResult(c.id(), item, Outcome.FAILED, c.attempt(), 0, 0,
                    Optional.of("boom"))
                : new ItemResult(c.id(), item, Outcome.REPAIRED, c.attempt(), 10, 1,
                    Optional.empty());
            run.completions.merge(item, 1, Integer::sum);
            q.complete(c, r);
          }
        }
        q.close();
        return run;
      } catch (SimulatedCrash crash) {
        run.crashes++;
        // The dead worker's lease must run out before anyone takes its files.
        clock.advance(Duration.ofSeconds(31));
        instance++;
      }
    }
  }

  private static void assertAccountedFor(Path dir) throws IOException {
    assertEquals(List.of(), workFiles(dir));
    assertEquals(List.of("b", "b.report.json", "c", "c.report.json"),
        list(dir.resolve("failed")).stream().filter(n -> !n.startsWith(".")).toList());
    JsonNode b = new ObjectMapper().readTree(dir.resolve("failed/b.report.json").toFile())
        .get("entries");
    assertEquals(3, b.size());
    assertEquals("repaired", b.get(0).get("outcome").asText());
    assertEquals("invalid", b.get(1).get("outcome").asText());
    assertEquals("repaired", b.get(2).get("outcome").asText());
    assertEquals(si(3) + "\njunk\n" + si(4) + "\n", Files.readString(dir.resolve("failed/b")));
    JsonNode c = new ObjectMapper().readTree(dir.resolve("failed/c.report.json").toFile())
        .get("entries");
    assertEquals("failed", c.get(0).get("outcome").asText());
    assertEquals("boom", c.get(0).get("reason").asText());
    assertStateClean(dir);
  }

  @Test
  void crashAtEveryStepThenRestartAccountsForEveryFile() throws Exception {
    Run clean = run(root.resolve("clean"));
    assertEquals(0, clean.crashes);
    assertAccountedFor(root.resolve("clean"));
    assertTrue(clean.stepsSeen.containsAll(List.of("claimed", "before-final-record",
        "final-recorded", "before-retry-record", "retry-recorded", "moved-to-trash",
        "trash-deleted", "failed-name-recorded", "report-written", "moved-to-failed",
        "journal-deleted")), "the scenario passes every step: " + clean.stepsSeen);
    List<String> problems = new ArrayList<>();
    for (int k = 1; k <= clean.steps; k++) {
      {
        // Sometimes the recovering worker crashes too, early in its recovery.
        int second = k % 3 == 0 ? -1 : k % 3;
        Path dir = root.resolve("crash-" + k + "-" + second);
        try {
          Run r = run(dir, k, second);
          assertTrue(r.crashes >= 1);
          assertAccountedFor(dir);
          for (Map.Entry<String, Integer> e : r.completions.entrySet()) {
            // At most one redo, for the item whose outcome was in flight at each crash.
            assertTrue(e.getValue() <= 1 + r.crashes, e.toString());
          }
        } catch (AssertionError | Exception e) {
          problems.add("crash at step " + k + " then " + second + ": " + e);
        }
      }
    }
    assertEquals(List.of(), problems);
  }
}
