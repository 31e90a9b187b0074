package org.lafsrepair.service;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A durable queue of repair work shared by any number of workers (threads or processes), each
 * holding leased claims on items. {@link DirectoryWorkQueue} is the work-queue directory; a
 * database-backed queue fits the same contract (claims as leased rows, attempts and outcomes as
 * columns).
 *
 * <p>Contract: an item is handed to at most one live worker at a time; a worker keeps its claims by
 * calling {@link #heartbeat} more often than {@link #leaseDuration}; claims of a worker whose lease
 * ran out may be taken over by others. Every claim ends with exactly one of {@link #complete},
 * {@link #retryLater} or {@link #release}, or with the worker's death. Outcomes recorded by {@link
 * #complete} and {@link #retryLater} are durable when the call returns. Instances are thread-safe.
 */
public interface WorkQueue extends Closeable {
  /**
   * Durably adds {@code items} as one unit of work and returns their ids in order. Items added
   * this way are processed like any other.
   */
  List<ItemId> add(List<WorkItem> items) throws IOException;

  /**
   * Claims up to {@code max} items that are due now (not waiting out a retry backoff), oldest
   * units first. Returns an empty list when nothing is due.
   */
  List<Claim> claim(int max) throws IOException;

  /** Durably records the final result of a claimed item. */
  void complete(Claim claim, ItemResult result) throws IOException, LeaseLostException;

  /**
   * Durably gives a claimed item back to be tried again no earlier than {@code notBefore}; the
   * next claim of it has {@code attempt + 1}.
   */
  void retryLater(Claim claim, Instant notBefore, String reason)
      throws IOException, LeaseLostException;

  /** Gives a claimed item back untouched (its attempt does not count), e.g. on shutdown. */
  void release(Claim claim) throws IOException;

  /**
   * Renews this worker's lease and publishes its stats. Returns the ids of claims this worker
   * has lost because its lease had already run out and another worker took them; their outcomes
   * must not be recorded.
   */
  Set<ItemId> heartbeat(WorkerStats stats) throws IOException;

  /**
   * The earliest time at which an item this worker holds but could not claim (it is waiting out
   * a retry backoff) becomes due; empty if there is none.
   */
  Optional<Instant> nextRetry();

  /** How long a lease lasts without a heartbeat. */
  Duration leaseDuration();

  /** A snapshot of the whole queue, all workers included. */
  QueueStatus status() throws IOException;

  /** Gives back every claim of this worker and ends its lease, so others can take over at once. */
  @Override
  void close() throws IOException;
}
