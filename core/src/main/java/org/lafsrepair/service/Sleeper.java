package org.lafsrepair.service;

import java.time.Duration;

/**
 * How the service waits out throttling delays. Injected together with a {@link java.time.Clock}
 * so tests can run throttling on simulated time: a fake sleeper advances the fake clock.
 */
@FunctionalInterface
public interface Sleeper {
  /** The real thing. */
  Sleeper SYSTEM = d -> {
    if (!d.isNegative() && !d.isZero()) {
      Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    }
  };

  void sleep(Duration duration) throws InterruptedException;
}
