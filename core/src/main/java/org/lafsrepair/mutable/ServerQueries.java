package org.lafsrepair.mutable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.lafsrepair.spi.StorageServer;

/**
 * How a {@link MutableServerMap} asks its servers: one query per server, run in parallel or not,
 * with one deadline for all. The repairer supplies its own round engine (shared hedged workers,
 * quick local servers asked on the calling thread); {@link #onExecutor} is a task per server.
 */
public interface ServerQueries {
  /**
   * Runs {@code queries.get(i)}, which asks {@code servers.get(i)}, for every {@code i} and returns
   * the answers in that order: {@code null} for a query that did not answer within {@code timeout}
   * of the call (null timeout: no limit) or that threw. Queries must not throw: failures are part
   * of their answer.
   *
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  <T> List<T> run(List<? extends StorageServer> servers, List<Supplier<T>> queries, Duration timeout)
      throws InterruptedException;

  /**
   * A task per server on {@code executor} ({@code Runnable::run}: one after another on the calling
   * thread). A late query is left to finish or fail on its own, never interrupted.
   */
  static ServerQueries onExecutor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return new ServerQueries() {
      @Override
      public <T> List<T> run(List<? extends StorageServer> servers, List<Supplier<T>> queries,
          Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        List<CompletableFuture<T>> running = new ArrayList<>(queries.size());
        for (Supplier<T> q : queries) {
          running.add(CompletableFuture.supplyAsync(q, executor));
        }
        List<T> out = new ArrayList<>(queries.size());
        for (CompletableFuture<T> f : running) {
          try {
            if (timeout == null) {
              out.add(f.get());
            } else {
              long left = timeout.toNanos() - (System.nanoTime() - start);
              out.add(f.get(Math.max(0, left), TimeUnit.NANOSECONDS));
            }
          } catch (TimeoutException | ExecutionException e) {
            out.add(null);
          }
        }
        return out;
      }
    };
  }
}
