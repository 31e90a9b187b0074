package org.lafsrepair.spi.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import org.lafsrepair.spi.ServerUnavailableException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;

/**
 * The misbehaviour a {@link MemoryStorageServer} injects, changeable at any time from any thread
 * so a test can turn a good server bad (or back) mid-operation. Every method returns {@code this}
 * for chaining. Faults act on what callers see: failures and delays before the operation runs,
 * corruption and size lies on the way out; the stored shares stay intact (use {@link
 * MemoryStorageServer#corruptStoredByte} for real bit rot).
 */
public final class Faults {
  /** The server operations faults can target. */
  public enum Op {
    LIST,
    READ,
    ALLOCATE,
    WRITE,
    COMMIT,
    ABORT,
    TEST_AND_WRITE,
    ADVISE,
    SPACE,
    DELETE,
    LEASE
  }

  private record Failure(int remaining, Supplier<? extends StorageException> error) {}

  private record ReadCorruption(StorageIndex si, ShareNumber shnum, long offset, int mask) {}

  private final Map<Op, Failure> failures = new EnumMap<>(Op.class);
  private final Map<Op, Duration> delays = new EnumMap<>(Op.class);
  private final List<ReadCorruption> readCorruptions = new ArrayList<>();
  private LongUnaryOperator sizeLie = LongUnaryOperator.identity();
  private long byteBudget = Long.MAX_VALUE;
  private boolean offline;

  Faults() {}

  /** Every call of {@code ops} fails with {@link ServerUnavailableException} until cleared. */
  public synchronized Faults failAlways(Op... ops) {
    for (Op op : ops) {
      failures.put(op, new Failure(Integer.MAX_VALUE, () -> unavailable(op)));
    }
    return this;
  }

  /** The next {@code times} calls of {@code op} fail with {@link ServerUnavailableException}. */
  public synchronized Faults failNext(Op op, int times) {
    return failNext(op, times, () -> unavailable(op));
  }

  /** The next {@code times} calls of {@code op} fail with the exception {@code error} makes. */
  public synchronized Faults failNext(Op op, int times, Supplier<? extends StorageException> error) {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(error, "error");
    if (times < 0) {
      throw new IllegalArgumentException("times must be >= 0");
    }
    failures.put(op, new Failure(times, error));
    return this;
  }

  /** Every call of {@code op} sleeps {@code delay} first (a slow server). */
  public synchronized Faults delay(Op op, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0");
    }
    delays.put(op, delay);
    return this;
  }

  /** Every call of every operation sleeps {@code delay} first. */
  public synchronized Faults delayAll(Duration delay) {
    for (Op op : Op.values()) {
      delay(op, delay);
    }
    return this;
  }

  /**
   * Reads of share {@code shnum} of {@code si} that cover share-data byte {@code offset} return
   * that byte XORed with {@code mask} (non-zero). {@code si} or {@code shnum} null means any.
   */
  public synchronized Faults corruptReads(StorageIndex si, ShareNumber shnum, long offset, int mask) {
    if ((mask & 0xff) == 0) {
      throw new IllegalArgumentException("mask must change the byte");
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
    readCorruptions.add(new ReadCorruption(si, shnum, offset, mask & 0xff));
    return this;
  }

  /** {@link #listShares} reports {@code lie.applyAsLong(trueLength)} (clamped at 0) as each size. */
  public synchronized Faults lieAboutSizes(LongUnaryOperator lie) {
    sizeLie = Objects.requireNonNull(lie, "lie");
    return this;
  }

  /**
   * The connection drops once {@code bytes} more bytes of share data have moved (reads and
   * writes together): the call that crosses the limit applies (for writes) only the bytes that
   * fit, then fails, and the server is offline from then on.
   */
  public synchronized Faults dropAfterBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0");
    }
    byteBudget = bytes;
    return this;
  }

  /** Every call fails with {@link ServerUnavailableException} until {@link #online()}. */
  public synchronized Faults offline() {
    offline = true;
    return this;
  }

  /** Brings the server back after {@link #offline()} or a dropped connection. */
  public synchronized Faults online() {
    offline = false;
    return this;
  }

  /** Removes every fault. */
  public synchronized Faults clear() {
    failures.clear();
    delays.clear();
    readCorruptions.clear();
    sizeLie = LongUnaryOperator.identity();
    byteBudget = Long.MAX_VALUE;
    offline = false;
    return this;
  }

  /** Whether the server is offline now (after {@link #offline()} or a dropped connection). */
  public synchronized boolean isOffline() {
    return offline;
  }

  // ---- used by the server ----

  /** Whether any operation is delayed now. */
  synchronized boolean delaysCalls() {
    for (Duration d : delays.values()) {
      if (!d.isZero()) {
        return true;
      }
    }
    return false;
  }

  /** Runs before every operation: delay (outside any server lock), then offline and failures. */
  void before(Op op) throws StorageException {
    Duration d;
    synchronized (this) {
      d = delays.get(op);
    }
    if (d != null && !d.isZero()) {
      try {
        Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServerUnavailableException("interrupted while the server was slow", e);
      }
    }
    synchronized (this) {
      if (offline) {
        throw new ServerUnavailableException("memory server is offline");
      }
      Failure f = failures.get(op);
      if (f != null && f.remaining() > 0) {
        if (f.remaining() != Integer.MAX_VALUE) {
          failures.put(op, new Failure(f.remaining() - 1, f.error()));
        }
        throw f.error().get();
      }
    }
  }

  /**
   * Charges {@code n} bytes to the connection; returns how many may move before it drops
   * ({@code n} if all). When fewer, the caller moves that many and then calls {@link #dropped}.
   */
  synchronized long charge(long n) {
    if (byteBudget == Long.MAX_VALUE) {
      return n;
    }
    long allowed = Math.min(n, byteBudget);
    byteBudget -= allowed;
    return allowed;
  }

  synchronized ServerUnavailableException dropped() {
    offline = true;
    return new ServerUnavailableException("memory server dropped the connection");
  }

  synchronized long reportedSize(long trueSize) {
    return Math.max(0, sizeLie.applyAsLong(trueSize));
  }

  synchronized void corrupt(StorageIndex si, ShareNumber shnum, long offset, byte[] data) {
    for (ReadCorruption c : readCorruptions) {
      if ((c.si() == null || c.si().equals(si))
          && (c.shnum() == null || c.shnum().equals(shnum))
          && c.offset() >= offset
          && c.offset() < offset + data.length) {
        int i = (int) (c.offset() - offset);
        data[i] = (byte) (data[i] ^ c.mask());
      }
    }
  }

  private static ServerUnavailableException unavailable(Op op) {
    return new ServerUnavailableException("injected failure of " + op);
  }
}
