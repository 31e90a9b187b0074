package org.lafsrepair.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket on an injectable clock. Callers reserve permits up front ({@link #acquire}),
 * going into debt if the bucket is short, and wait until the debt would have been paid at the
 * configured rate; so over any interval of length T at most {@code burst + rate * T} permits are
 * granted, however many threads ask. {@link #adjust} settles estimates afterwards (a repair that
 * wrote more bytes than it reserved makes the next caller wait longer).
 */
final class Throttle {
  private final double ratePerSecond;
  private final double burst;
  private final Clock clock;
  private final Sleeper sleeper;
  // Guarded by this.
  private double tokens;
  private long lastNanos;

  Throttle(double ratePerSecond, double burst, Clock clock, Sleeper sleeper) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be positive and finite: " + ratePerSecond);
    }
    if (!(burst >= 1) || Double.isInfinite(burst)) {
      throw new IllegalArgumentException("burst must be >= 1 and finite: " + burst);
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.clock = clock;
    this.sleeper = sleeper;
    this.tokens = burst;
    this.lastNanos = nanos(clock.instant());
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** Takes {@code n} permits, waiting as long as needed; returns how long it waited. */
  Duration acquire(long n) throws InterruptedException {
    if (n < 0) {
      throw new IllegalArgumentException("negative permits");
    }
    Duration wait = reserve(n);
    sleeper.sleep(wait);
    return wait;
  }

  /** Takes (positive) or returns (negative) permits without waiting. */
  synchronized void adjust(long delta) {
    refill();
    tokens = Math.min(burst, tokens - delta);
  }

  private synchronized Duration reserve(long n) {
    refill();
    tokens -= n;
    if (tokens >= 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil(-tokens / ratePerSecond * 1e9));
  }

  private void refill() {
    long now = nanos(clock.instant());
    long elapsed = now - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed / 1e9 * ratePerSecond);
      lastNanos = now;
    }
  }
}
