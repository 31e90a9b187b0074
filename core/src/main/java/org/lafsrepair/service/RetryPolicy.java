package org.lafsrepair.service;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently unrecoverable and failed items are retried: attempt {@code n}
 * (1-based) that does not succeed is retried after {@code initialDelay * multiplier^(n-1)},
 * capped at {@code maxDelay}, until {@code maxAttempts} attempts have been made; then the outcome
 * is final.
 */
public record RetryPolicy(
    int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay) {
  /** Five attempts, 1 minute doubling to at most 1 hour (about 15 minutes in total). */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMinutes(1), 2.0, Duration.ofHours(1));

  /** One attempt, no retries. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO);

  public RetryPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    if (initialDelay.isNegative() || maxDelay.isNegative()) {
      throw new IllegalArgumentException("delays must not be negative");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be finite and >= 1, got " + multiplier);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay < initialDelay");
    }
  }

  /** Whether an item whose attempt number {@code attempt} just ended gets another one. */
  public boolean shouldRetry(int attempt) {
    return attempt < maxAttempts;
  }

  /** The wait after failed attempt number {@code attempt} (1-based). */
  public Duration delayAfter(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1");
    }
    double nanos = initialDelay.toNanos() * Math.pow(multiplier, attempt - 1.0);
    if (!(nanos < maxDelay.toNanos())) {
      return maxDelay;
    }
    return Duration.ofNanos((long) nanos);
  }
}
