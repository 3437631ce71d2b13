package io.eskafka.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ProjectionRunner} retries a failing batch (a handler or the database throwing)
 * before it parks: up to {@code maxAttempts} tries in all, waiting {@code initialBackoff} after
 * the first failure, doubling up to {@code maxBackoff}. While it waits, the runner keeps polling
 * with its partitions paused, so it stays in the consumer group. Immutable.
 *
 * @param maxAttempts tries in all, including the first; 1 = park on the first failure
 * @param initialBackoff wait after the first failure, positive
 * @param maxBackoff longest wait, at least {@code initialBackoff}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  /** Default: 5 tries, waiting 0.2 s, 0.4 s, 0.8 s, 1.6 s in between (3 s in all). */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));

  /**
   * Validates.
   *
   * @throws IllegalArgumentException on fewer than one attempt or a non-positive backoff
   */
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff (" + maxBackoff
          + ") must not be shorter than initialBackoff (" + initialBackoff + ")");
    }
  }

  /**
   * No retries: the first failure parks.
   *
   * @return the policy
   */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1));
  }

  /**
   * The wait after a failure.
   *
   * @param failures consecutive failures so far, ≥ 1
   * @return {@code initialBackoff · 2^(failures-1)}, at most {@code maxBackoff}
   */
  public Duration backoffAfter(int failures) {
    Duration backoff = initialBackoff;
    for (int i = 1; i < failures && backoff.compareTo(maxBackoff) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
  }
}
