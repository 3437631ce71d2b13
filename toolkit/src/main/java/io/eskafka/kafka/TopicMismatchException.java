package io.eskafka.kafka;

import java.util.List;

/**
 * An existing topic does not have the shape the toolkit needs (wrong cleanup policy, partition
 * count or, for event topics, retention), so {@link TopicApplier} refuses to go on rather than run
 * against it. Kafka cannot change a cleanup policy's meaning for data already written, nor reduce
 * partitions, so an operator has to decide what to do.
 *
 * <p>The message names each topic, the actual and the expected value, e.g. {@code topic
 * bank-account.events exists with cleanup.policy=delete, expected compact}.
 */
public class TopicMismatchException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Each difference found, one human-readable sentence each. */
  private final List<String> differences;

  /**
   * Creates the exception.
   *
   * @param differences one sentence per difference found, not {@code null} or empty; copied
   */
  public TopicMismatchException(List<String> differences) {
    super(String.join("; ", requireNonEmpty(differences)));
    this.differences = List.copyOf(differences);
  }

  private static List<String> requireNonEmpty(List<String> differences) {
    if (differences == null || differences.isEmpty()) {
      throw new IllegalArgumentException("a topic mismatch needs at least one difference");
    }
    return differences;
  }

  /**
   * The differences found, one sentence each (the message joins them with {@code "; "}).
   *
   * @return an unmodifiable, non-empty list
   */
  public List<String> differences() {
    return differences;
  }
}
