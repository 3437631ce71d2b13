package io.eskafka.projection;

/**
 * A read model fed with events: what the two kinds of projection have in common.
 * {@code io.eskafka.kafka.ProjectionRunner} runs one as its own consumer group.
 */
public sealed interface Projection permits AtLeastOnceProjection, JdbcProjection {

  /** Longest name: Kafka caps group ids at 249 characters; the rest is left for a prefix. */
  int MAX_NAME_LENGTH = 200;

  /**
   * The projection's name: its consumer group id (after an optional prefix) and its key in the
   * offsets table; ASCII letters, digits, {@code .}, {@code _} and {@code -}.
   *
   * @return the name, never {@code null}
   */
  String name();

  /**
   * The events it reads.
   *
   * @return the selection, never {@code null}
   */
  EventSelection events();
}
