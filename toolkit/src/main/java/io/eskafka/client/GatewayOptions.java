package io.eskafka.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link CommandGateway}. Immutable; the {@code with…} methods return copies.
 *
 * @param bootstrapServers Kafka bootstrap servers, never {@code null}
 * @param timeout how long a command waits for its result before its future fails with {@link
 *     CommandTimeoutException}
 * @param kafkaOverrides raw producer/consumer configs applied last (escape hatch, e.g. SASL/SSL
 *     settings); never {@code null}
 */
public record GatewayOptions(String bootstrapServers, Duration timeout,
    Map<String, String> kafkaOverrides) {

  /** Default time to wait for a result. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Validates and copies. */
  public GatewayOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    kafkaOverrides = Map.copyOf(kafkaOverrides);
  }

  /**
   * Defaults for a cluster: 10 s timeout, no overrides.
   *
   * @param bootstrapServers Kafka bootstrap servers
   * @return the options
   */
  public static GatewayOptions of(String bootstrapServers) {
    return new GatewayOptions(bootstrapServers, DEFAULT_TIMEOUT, Map.of());
  }

  /**
   * Same options with another timeout.
   *
   * @param value the timeout, positive
   * @return a copy
   */
  public GatewayOptions withTimeout(Duration value) {
    return new GatewayOptions(bootstrapServers, value, kafkaOverrides);
  }

  /**
   * Same options with raw Kafka client configs.
   *
   * @param overrides configs applied on top of the gateway's own
   * @return a copy
   */
  public GatewayOptions withKafkaOverrides(Map<String, String> overrides) {
    return new GatewayOptions(bootstrapServers, timeout, overrides);
  }
}
