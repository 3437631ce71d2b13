package io.eskafka.kafka;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/**
 * Where {@link ProjectionAdmin#reset} moves a projection group's offsets: the position the read
 * model is rebuilt from. Immutable.
 */
public sealed interface ResetTarget {

  /**
   * For the reset's metadata and messages, e.g. {@code earliest}, {@code datetime
   * 2026-01-01T00:00:00Z}, {@code offsets {t-0=5,t-1=7}}.
   *
   * @return a one-line description, without spaces at the ends
   */
  String describe();

  /** The beginning of every partition: a full rebuild. */
  record Earliest() implements ResetTarget {
    @Override
    public String describe() {
      return "earliest";
    }
  }

  /**
   * The first event at or after a point in time, per partition (Kafka's {@code offsetsForTimes});
   * a partition with no event that late goes to its end.
   *
   * @param time the point in time, never {@code null}
   */
  record AtTime(Instant time) implements ResetTarget {
    /** Validates. */
    public AtTime {
      Objects.requireNonNull(time, "time");
    }

    @Override
    public String describe() {
      return "datetime " + time;
    }
  }

  /**
   * Explicit next offsets for some partitions; the other partitions of the projection's topics
   * keep their committed offsets (and are rebuilt from there too). Each offset must lie between
   * the partition's beginning and end.
   *
   * @param offsets next offset per partition, at least one, none negative
   */
  record ToOffsets(Map<TopicPartition, Long> offsets) implements ResetTarget {
    /** Validates and copies. */
    public ToOffsets {
      offsets = Map.copyOf(offsets);
      if (offsets.isEmpty()) {
        throw new IllegalArgumentException("an offset reset needs at least one partition");
      }
      offsets.forEach((partition, offset) -> {
        if (offset < 0) {
          throw new IllegalArgumentException("offset for " + partition + " is negative: " + offset);
        }
      });
    }

    @Override
    public String describe() {
      return "offsets " + new TreeMap<>(offsets.entrySet().stream().collect(Collectors.toMap(
          e -> e.getKey().toString(), Map.Entry::getValue))).toString().replace(" ", "");
    }
  }

  /**
   * The beginning.
   *
   * @return the target
   */
  static ResetTarget earliest() {
    return new Earliest();
  }

  /**
   * A point in time.
   *
   * @param time not {@code null}
   * @return the target
   */
  static ResetTarget at(Instant time) {
    return new AtTime(time);
  }

  /**
   * Explicit offsets.
   *
   * @param offsets next offset per partition, not {@code null}
   * @return the target
   */
  static ResetTarget offsets(Map<TopicPartition, Long> offsets) {
    return new ToOffsets(offsets);
  }
}
