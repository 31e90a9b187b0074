package org.lafsrepair.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * Asks every server which shares it holds for a storage index, as one round of {@link
 * ServerCalls}: in parallel on a few shared, hedged workers, slow servers on workers of their own,
 * quick {@link org.lafsrepair.spi.Locality#LOCAL} servers listed by the calling thread itself. A
 * server that fails or does not answer within the timeout is reported as not responding.
 *
 * <p>Thread-safe; one locator may serve concurrent rounds.
 */
final class ShareLocator {
  private final ServerCalls calls;
  private final Duration timeout;

  ShareLocator(ExecutorService executor, Duration timeout) {
    this(new ServerCalls(executor), timeout);
  }

  ShareLocator(ExecutorService executor, Duration timeout, int parallelism, Duration hedge) {
    this(new ServerCalls(executor, parallelism, hedge), timeout);
  }

  private ShareLocator(ServerCalls calls, Duration timeout) {
    this.calls = calls;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** One server's answer. */
  record Answer(StorageServer server, List<ShareInfo> shares, String failure) {
    boolean responded() {
      return failure == null;
    }
  }

  /** Answers in the order of {@code servers} (callers pass the permuted order). */
  List<Answer> locate(List<StorageServer> servers, StorageIndex si) throws InterruptedException {
    Objects.requireNonNull(si, "si");
    List<ServerCalls.Call<Answer>> round = new ArrayList<>(servers.size());
    for (StorageServer s : servers) {
      round.add(ServerCalls.Call.of(s, () -> ask(s, si)));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    return calls.run(round, deadline, i -> new Answer(servers.get(i), List.of(),
        "no answer within " + timeout.toMillis() + " ms"));
  }

  /** Whether {@code s}'s recent listings took longer than the hedge (unknown servers: no). */
  boolean seemsSlow(StorageServer s) {
    return calls.seemsSlow(s);
  }

  private static Answer ask(StorageServer s, StorageIndex si) {
    try {
      return new Answer(s, List.copyOf(s.listShares(si)), null);
    } catch (StorageException e) {
      return new Answer(s, List.of(), e.getMessage());
    } catch (RuntimeException | Error e) {
      // A broken backend is a non-responding server, not a failed check.
      return new Answer(s, List.of(), e.toString());
    }
  }
}
