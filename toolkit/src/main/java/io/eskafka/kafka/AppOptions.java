package io.eskafka.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of an {@link AggregateApp}. Immutable; the {@code with…} methods return copies.
 *
 * @param bootstrapServers Kafka bootstrap servers, never {@code null}
 * @param applicationId Kafka Streams application id: instances with the same id share the work;
 *     it prefixes the internal topics (snapshot changelog, …)
 * @param stateDir where RocksDB stores live, or {@code null} for a fresh temporary directory that
 *     is deleted on close (state is then restored from the changelogs at every start)
 * @param streamThreads stream threads of this instance, ≥ 1
 * @param commitInterval how often a transaction commits: the latency floor of a command's result
 * @param dedupeWindow how long a command id is remembered for idempotent re-sends, at least (a
 *     command that appended events is remembered as long as its events are)
 * @param kafkaOverrides raw Kafka Streams configs applied last (escape hatch: SASL/SSL,
 *     replication.factor, …); never {@code null}
 * @param applicationServer {@code host:port} this instance advertises to the others for queries
 *     (Kafka Streams' {@code application.server}), or {@code null} when queries are not routed
 *     between instances
 */
public record AppOptions(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    int streamThreads,
    Duration commitInterval,
    Duration dedupeWindow,
    Map<String, String> kafkaOverrides,
    String applicationServer) {

  /** Default time a command id is remembered: the command topic's retention. */
  public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofDays(7);
  /** Default commit interval (Kafka Streams' own default under exactly-once). */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);

  /** Validates and copies. */
  public AppOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(commitInterval, "commitInterval");
    Objects.requireNonNull(dedupeWindow, "dedupeWindow");
    if (streamThreads < 1) {
      throw new IllegalArgumentException("streamThreads must be >= 1, got " + streamThreads);
    }
    if (commitInterval.isNegative()) {
      throw new IllegalArgumentException("commitInterval must not be negative");
    }
    if (dedupeWindow.toMillis() < 1) {
      throw new IllegalArgumentException("dedupeWindow must be at least 1 ms, got " + dedupeWindow);
    }
    kafkaOverrides = Map.copyOf(kafkaOverrides);
    if (applicationServer != null && !applicationServer.matches("[^:\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException("applicationServer must be host:port, got '"
          + applicationServer + "'");
    }
  }

  /**
   * Defaults: temporary state dir, one thread, 100 ms commits, 7-day dedupe window.
   *
   * @param bootstrapServers Kafka bootstrap servers
   * @param applicationId Kafka Streams application id
   * @return the options
   */
  public static AppOptions of(String bootstrapServers, String applicationId) {
    return new AppOptions(bootstrapServers, applicationId, null, 1, DEFAULT_COMMIT_INTERVAL,
        DEFAULT_DEDUPE_WINDOW, Map.of(), null);
  }

  /**
   * @param dir the state directory; kept on close
   * @return a copy
   */
  public AppOptions withStateDir(Path dir) {
    return new AppOptions(bootstrapServers, applicationId, dir, streamThreads, commitInterval,
        dedupeWindow, kafkaOverrides, applicationServer);
  }

  /**
   * @param threads stream threads, ≥ 1
   * @return a copy
   */
  public AppOptions withStreamThreads(int threads) {
    return new AppOptions(bootstrapServers, applicationId, stateDir, threads, commitInterval,
        dedupeWindow, kafkaOverrides, applicationServer);
  }

  /**
   * @param interval transaction commit interval
   * @return a copy
   */
  public AppOptions withCommitInterval(Duration interval) {
    return new AppOptions(bootstrapServers, applicationId, stateDir, streamThreads, interval,
        dedupeWindow, kafkaOverrides, applicationServer);
  }

  /**
   * @param window how long command ids are remembered
   * @return a copy
   */
  public AppOptions withDedupeWindow(Duration window) {
    return new AppOptions(bootstrapServers, applicationId, stateDir, streamThreads, commitInterval,
        window, kafkaOverrides, applicationServer);
  }

  /**
   * @param overrides raw Kafka Streams configs applied last
   * @return a copy
   */
  public AppOptions withKafkaOverrides(Map<String, String> overrides) {
    return new AppOptions(bootstrapServers, applicationId, stateDir, streamThreads, commitInterval,
        dedupeWindow, overrides, applicationServer);
  }

  /**
   * @param hostPort {@code host:port} this instance advertises for queries (where the HTTP API of
   *     this instance listens), or {@code null} for none
   * @return a copy
   */
  public AppOptions withApplicationServer(String hostPort) {
    return new AppOptions(bootstrapServers, applicationId, stateDir, streamThreads, commitInterval,
        dedupeWindow, kafkaOverrides, hostPort);
  }
}
