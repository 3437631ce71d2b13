package io.eskafka.kafka.serde;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently a failing operation is repeated: up to {@code maxAttempts} attempts
 * in all, waiting {@code initialBackoff} before the first retry and doubling the wait before each
 * further one, capped at {@code maxBackoff}. One type for every retry in the toolkit: the schema
 * registry client's requests and a projection's failing batches
 * ({@link io.eskafka.kafka.ProjectionOptions#withRetry}).
 *
 * <p>{@link HttpSchemaRegistry} repeats a request after a connection failure (refused, reset,
 * timed out: any {@link java.io.IOException}) or a 5xx answer. A 4xx answer is never retried:
 * the same request would get the same answer.
 *
 * <p>Every request the client sends may be repeated safely: reads trivially, and registering a
 * schema that is already registered returns the existing id.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxAttempts attempts in all, at least 1 (1 = no retry)
 * @param initialBackoff wait before the first retry, not null, not negative
 * @param maxBackoff upper bound for any wait, not null, not below {@code initialBackoff}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if a duration is null
   * @throws IllegalArgumentException if {@code maxAttempts} is below 1, a duration is negative, or
   *     {@code maxBackoff} is below {@code initialBackoff}
   */
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException("initialBackoff must not be negative");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must not be below initialBackoff");
    }
  }

  /**
   * The default: 3 attempts, 200 ms then 400 ms between them (at most 2 s): rides out a registry
   * restart or a lost connection without stalling a stream thread for long.
   *
   * @return the default policy, never null
   */
  public static RetryPolicy defaults() {
    return new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  /**
   * One attempt, no retry.
   *
   * @return a policy that never retries, never null
   */
  public static RetryPolicy noRetries() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /**
   * Returns the wait before a retry.
   *
   * @param retry 1 for the first retry (the second attempt), 2 for the next, ...
   * @return {@code initialBackoff * 2^(retry-1)}, capped at {@code maxBackoff}; never null
   */
  public Duration backoffBefore(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be >= 1, was " + retry);
    }
    Duration wait = initialBackoff;
    for (int i = 1; i < retry && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
