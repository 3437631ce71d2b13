package io.eskafka.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.TopicConfig;

/**
 * The names of the four topics one aggregate type uses, derived from the aggregate's name: {@code
 * <aggregate>.commands}, {@code <aggregate>.events}, {@code <aggregate>.command-results} and {@code
 * <aggregate>.dlq}; plus their standard configs via {@link #specs(int, short)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param aggregate the aggregate type's name, e.g. {@code bank-account}: only ASCII letters,
 *     digits, {@code .}, {@code _} and {@code -} (Kafka's topic name alphabet), at most {@link
 *     #MAX_AGGREGATE_NAME_LENGTH} characters so that every derived topic name is legal
 */
public record AggregateTopics(String aggregate) {

  /** Suffix of the topic commands are sent to. */
  public static final String COMMANDS_SUFFIX = ".commands";
  /** Suffix of the topic holding the event streams. */
  public static final String EVENTS_SUFFIX = ".events";
  /** Suffix of the topic command results are written to. */
  public static final String COMMAND_RESULTS_SUFFIX = ".command-results";
  /** Suffix of the dead-letter topic for records that could not be processed. */
  public static final String DLQ_SUFFIX = ".dlq";

  /** Kafka's limit on topic names, minus the longest suffix. */
  public static final int MAX_AGGREGATE_NAME_LENGTH = 249 - COMMAND_RESULTS_SUFFIX.length();

  /** Commands are only needed until processed; a week covers an outage plus a replay. */
  public static final Duration COMMANDS_RETENTION = Duration.ofDays(7);
  /** Results are only read by the waiting caller; a day is plenty. */
  public static final Duration COMMAND_RESULTS_RETENTION = Duration.ofDays(1);
  /** Dead letters wait for a human; a month gives time to notice and repair. */
  public static final Duration DLQ_RETENTION = Duration.ofDays(30);

  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

  /**
   * Validates the name.
   *
   * @throws IllegalArgumentException if {@code aggregate} is {@code null}, empty, too long or
   *     contains a character Kafka does not allow in topic names
   */
  public AggregateTopics {
    if (aggregate == null || aggregate.isEmpty()) {
      throw new IllegalArgumentException("aggregate name must not be null or empty");
    }
    if (aggregate.length() > MAX_AGGREGATE_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "aggregate name is "
              + aggregate.length()
              + " characters long; at most "
              + MAX_AGGREGATE_NAME_LENGTH
              + " fit in a Kafka topic name with the suffix "
              + COMMAND_RESULTS_SUFFIX);
    }
    if (!LEGAL.matcher(aggregate).matches()) {
      throw new IllegalArgumentException(
          "aggregate name '"
              + aggregate
              + "' is not a legal Kafka topic name part: use only ASCII letters, digits, '.', '_' and '-'");
    }
  }

  /**
   * The topics of the given aggregate type.
   *
   * @param aggregateName e.g. {@code bank-account}; see the record description for the rules
   * @return the topic names, never {@code null}
   * @throws IllegalArgumentException if the name is not a legal Kafka topic name part
   */
  public static AggregateTopics of(String aggregateName) {
    return new AggregateTopics(aggregateName);
  }

  /**
   * The topic commands are sent to, keyed by stream id.
   *
   * @return {@code <aggregate>.commands}
   */
  public String commands() {
    return aggregate + COMMANDS_SUFFIX;
  }

  /**
   * The topic holding every event of every stream, keyed by (stream id, version).
   *
   * @return {@code <aggregate>.events}
   */
  public String events() {
    return aggregate + EVENTS_SUFFIX;
  }

  /**
   * The topic command results are written to, keyed by command id.
   *
   * @return {@code <aggregate>.command-results}
   */
  public String commandResults() {
    return aggregate + COMMAND_RESULTS_SUFFIX;
  }

  /**
   * The dead-letter topic for records that could not be processed.
   *
   * @return {@code <aggregate>.dlq}
   */
  public String dlq() {
    return aggregate + DLQ_SUFFIX;
  }

  /**
   * All four topic names, in the order commands, events, command results, DLQ.
   *
   * @return an unmodifiable list
   */
  public List<String> names() {
    return List.of(commands(), events(), commandResults(), dlq());
  }

  /**
   * The standard specs of the four topics, in the order of {@link #names()}.
   *
   * <ul>
   *   <li>commands: {@code cleanup.policy=delete}, retention 7 days
   *   <li>events: {@code cleanup.policy=compact}, {@code retention.ms=-1}. Compaction loses nothing
   *       because every event has its own key (stream id + version); it keeps history forever and
   *       lets a stream be erased with tombstones
   *   <li>command results: {@code cleanup.policy=delete}, retention 1 day
   *   <li>DLQ: {@code cleanup.policy=delete}, retention 30 days
   * </ul>
   *
   * <p>All four get the same partition count: the processor reads command partition p and writes
   * event and result partition p in the same task, which needs co-partitioned topics.
   *
   * @param partitions partitions of every topic, at least 1
   * @param replicationFactor replicas per partition, at least 1
   * @return an unmodifiable list of four specs
   * @throws IllegalArgumentException if a count is below 1
   */
  public List<TopicSpec> specs(int partitions, short replicationFactor) {
    return List.of(
        new TopicSpec(commands(), partitions, replicationFactor, deleteAfter(COMMANDS_RETENTION)),
        new TopicSpec(
            events(),
            partitions,
            replicationFactor,
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact", TopicConfig.RETENTION_MS_CONFIG, "-1")),
        new TopicSpec(
            commandResults(), partitions, replicationFactor, deleteAfter(COMMAND_RESULTS_RETENTION)),
        new TopicSpec(dlq(), partitions, replicationFactor, deleteAfter(DLQ_RETENTION)));
  }

  private static Map<String, String> deleteAfter(Duration retention) {
    Objects.requireNonNull(retention);
    return Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, "delete",
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
  }
}
