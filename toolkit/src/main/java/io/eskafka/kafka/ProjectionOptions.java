package io.eskafka.kafka;

import io.eskafka.kafka.serde.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Settings of a {@link ProjectionRunner}. Immutable; the {@code with…} methods return copies.
 *
 * @param bootstrapServers Kafka bootstrap servers, never {@code null}
 * @param groupIdPrefix prepended to the projection's name to form its consumer group id (e.g.
 *     {@code "billing."}); empty for none, never {@code null}
 * @param pollTimeout how long one poll waits for events; also bounds how quickly a close is seen
 * @param maxBatchSize most events per poll batch ({@code max.poll.records}), ≥ 1: a JDBC
 *     projection commits one database transaction per batch
 * @param closeTimeout how long {@link ProjectionRunner#close()} waits for the batch in progress and
 *     the consumer's close
 * @param kafkaOverrides raw consumer configs applied last (escape hatch: SASL/SSL, fetch sizes, …);
 *     never {@code null}; may not set {@code group.id}, {@code isolation.level} or
 *     {@code enable.auto.commit}, which the runner's guarantees depend on
 * @param retry how a failing batch is retried before the projection parks, never {@code null}
 * @param undecodableEvents what happens to an event that cannot be decoded, never {@code null}
 * @param progressInterval how often a replay's progress is logged at INFO, positive
 */
public record ProjectionOptions(
    String bootstrapServers,
    String groupIdPrefix,
    Duration pollTimeout,
    int maxBatchSize,
    Duration closeTimeout,
    Map<String, String> kafkaOverrides,
    RetryPolicy retry,
    UndecodableEventPolicy undecodableEvents,
    Duration progressInterval) {

  /** Default poll timeout. */
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(500);
  /** Default batch size (Kafka's own {@code max.poll.records} default). */
  public static final int DEFAULT_MAX_BATCH_SIZE = 500;
  /**
   * Default retries of a failing batch: 5 attempts, backoff from 200 ms doubling to 10 s (about
   * 3 s in all before the projection parks).
   */
  public static final RetryPolicy DEFAULT_RETRY =
      new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));
  /** Default close timeout. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** Default interval between progress lines while replaying. */
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(10);

  private static final Set<String> FIXED = Set.of(ConsumerConfig.GROUP_ID_CONFIG,
      ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException on a non-positive duration or batch size, or an override of
   *     a config the runner fixes
   */
  public ProjectionOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(groupIdPrefix, "groupIdPrefix");
    Objects.requireNonNull(pollTimeout, "pollTimeout");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(undecodableEvents, "undecodableEvents");
    Objects.requireNonNull(progressInterval, "progressInterval");
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException("progressInterval must be positive, got "
          + progressInterval);
    }
    if (pollTimeout.isNegative() || pollTimeout.isZero()) {
      throw new IllegalArgumentException("pollTimeout must be positive, got " + pollTimeout);
    }
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must not be negative, got " + closeTimeout);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
    }
    kafkaOverrides = Map.copyOf(kafkaOverrides);
    for (String key : kafkaOverrides.keySet()) {
      if (FIXED.contains(key)) {
        throw new IllegalArgumentException(key + " is set by the projection runner and cannot be "
            + "overridden (group id = prefix + projection name, read_committed, manual commits)");
      }
    }
  }

  /**
   * Defaults: no group-id prefix, 500 ms polls, batches of up to 500 events, 30 s close timeout,
   * {@link #DEFAULT_RETRY}, undecodable events park ({@link UndecodableEventPolicy#PARK}),
   * progress logged every 10 s while replaying.
   *
   * @param bootstrapServers Kafka bootstrap servers, not {@code null}
   * @return the options
   */
  public static ProjectionOptions of(String bootstrapServers) {
    return new ProjectionOptions(bootstrapServers, "", DEFAULT_POLL_TIMEOUT,
        DEFAULT_MAX_BATCH_SIZE, DEFAULT_CLOSE_TIMEOUT, Map.of(), DEFAULT_RETRY,
        UndecodableEventPolicy.PARK, DEFAULT_PROGRESS_INTERVAL);
  }

  /**
   * @param prefix group-id prefix, empty for none
   * @return a copy
   */
  public ProjectionOptions withGroupIdPrefix(String prefix) {
    return new ProjectionOptions(bootstrapServers, prefix, pollTimeout, maxBatchSize, closeTimeout,
        kafkaOverrides, retry, undecodableEvents,
        progressInterval);
  }

  /**
   * @param timeout how long one poll waits
   * @return a copy
   */
  public ProjectionOptions withPollTimeout(Duration timeout) {
    return new ProjectionOptions(bootstrapServers, groupIdPrefix, timeout, maxBatchSize,
        closeTimeout, kafkaOverrides, retry, undecodableEvents,
        progressInterval);
  }

  /**
   * @param size most events per batch
   * @return a copy
   */
  public ProjectionOptions withMaxBatchSize(int size) {
    return new ProjectionOptions(bootstrapServers, groupIdPrefix, pollTimeout, size, closeTimeout,
        kafkaOverrides, retry, undecodableEvents,
        progressInterval);
  }

  /**
   * @param timeout how long close waits
   * @return a copy
   */
  public ProjectionOptions withCloseTimeout(Duration timeout) {
    return new ProjectionOptions(bootstrapServers, groupIdPrefix, pollTimeout, maxBatchSize,
        timeout, kafkaOverrides, retry, undecodableEvents,
        progressInterval);
  }

  /**
   * @param overrides raw consumer configs applied last
   * @return a copy
   */
  public ProjectionOptions withKafkaOverrides(Map<String, String> overrides) {
    return new ProjectionOptions(bootstrapServers, groupIdPrefix, pollTimeout, maxBatchSize,
        closeTimeout, overrides, retry, undecodableEvents,
        progressInterval);
  }

  /**
   * @param policy how a failing batch is retried before parking, not {@code null}
   * @return a copy
   */
  public ProjectionOptions withRetry(RetryPolicy policy) {
    return new ProjectionOptions(bootstrapServers, groupIdPrefix, pollTimeout, maxBatchSize,
        closeTimeout, kafkaOverrides, policy, undecodableEvents, progressInterval);
  }

  /**
   * @param policy what happens to an undecodable event, not {@code null}
   * @return a copy
   */
  public ProjectionOptions withUndecodableEvents(UndecodableEventPolicy policy) {
    return new ProjectionOptions(bootstrapServers, groupIdPrefix, pollTimeout, maxBatchSize,
        closeTimeout, kafkaOverrides, retry, policy, progressInterval);
  }

  /**
   * @param interval how often a replay's progress is logged, positive
   * @return a copy
   */
  public ProjectionOptions withProgressInterval(Duration interval) {
    return new ProjectionOptions(bootstrapServers, groupIdPrefix, pollTimeout, maxBatchSize,
        closeTimeout, kafkaOverrides, retry, undecodableEvents, interval);
  }
}
