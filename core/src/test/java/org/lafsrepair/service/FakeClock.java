package org.lafsrepair.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves only when told to; its {@link #sleeper()} advances it instead of waiting. */
final class FakeClock extends Clock {
  private final AtomicReference<Instant> now;

  FakeClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  FakeClock(Instant start) {
    now = new AtomicReference<>(start);
  }

  void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  Sleeper sleeper() {
    return this::advance;
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
