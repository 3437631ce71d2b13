package io.eskafka.kafka;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@link ProjectionAdmin#reset} did (or {@link ProjectionAdmin#plan} would do). Immutable.
 *
 * @param groupId the projection's consumer group, never {@code null}
 * @param target the target asked for, never {@code null}
 * @param resetId unique id written into the offsets' metadata, never {@code null}
 * @param executed {@code false} for a plan: nothing was written
 * @param partitions every partition of the group's topics, sorted by topic and partition
 */
public record ResetResult(String groupId, ResetTarget target, String resetId, boolean executed,
    List<PartitionReset> partitions) {

  /** Validates and copies. */
  public ResetResult {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(resetId, "resetId");
    partitions = List.copyOf(partitions);
  }

  /**
   * One partition's move.
   *
   * @param topic the topic, never {@code null}
   * @param partition the partition
   * @param before the committed offset before the reset; empty when there was none
   * @param after the committed offset after it
   */
  public record PartitionReset(String topic, int partition, OptionalLong before, long after) {

    /** Validates. */
    public PartitionReset {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(before, "before");
    }

    /**
     * For tables: {@code bank-account.events-0: 17 -> 0} ({@code -} when there was none).
     *
     * @return one line
     */
    public String describe() {
      return topic + "-" + partition + ": "
          + (before.isPresent() ? Long.toString(before.getAsLong()) : "-") + " -> " + after;
    }
  }
}
