package org.lafsrepair.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * Asks every server, in parallel, which shares it holds for a storage index. A server that fails
 * or does not answer within the timeout is reported as not responding; it never stalls the
 * others beyond the timeout.
 */
final class ShareLocator {
  private final ExecutorService executor;
  private final Duration timeout;

  ShareLocator(ExecutorService executor, Duration timeout) {
    this.executor = executor;
    this.timeout = timeout;
  }

  /** One server's answer. */
  record Answer(StorageServer server, List<ShareInfo> shares, String failure) {
    boolean responded() {
      return failure == null;
    }
  }

  /** Answers in the order of {@code servers} (callers pass the permuted order). */
  List<Answer> locate(List<StorageServer> servers, StorageIndex si) throws InterruptedException {
    List<Future<List<ShareInfo>>> futures = new ArrayList<>(servers.size());
    for (StorageServer s : servers) {
      futures.add(executor.submit(() -> s.listShares(si)));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Answer> out = new ArrayList<>(servers.size());
    for (int i = 0; i < servers.size(); i++) {
      StorageServer s = servers.get(i);
      Future<List<ShareInfo>> f = futures.get(i);
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        out.add(new Answer(s, List.copyOf(f.get(left, TimeUnit.NANOSECONDS)), null));
      } catch (TimeoutException e) {
        f.cancel(true);
        out.add(new Answer(s, List.of(), "no answer within " + timeout.toMillis() + " ms"));
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        String why = c instanceof StorageException ? c.getMessage() : c.toString();
        out.add(new Answer(s, List.of(), why));
      } catch (CancellationException e) {
        out.add(new Answer(s, List.of(), "cancelled"));
      }
    }
    return out;
  }
}
