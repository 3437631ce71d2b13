package io.eskafka.kafka;

import java.util.Map;
import java.util.Objects;

/**
 * The desired shape of one Kafka topic: name, partition count, replication factor and topic-level
 * configs (e.g. {@code cleanup.policy}). Used by {@link TopicApplier} to create or check topics.
 *
 * <p>Immutable and thread-safe; {@code configs} is copied.
 *
 * @param name topic name, not {@code null} or blank
 * @param partitions number of partitions, at least 1
 * @param replicationFactor replicas per partition, at least 1 (1 for a single-broker dev cluster,
 *     typically 3 in production)
 * @param configs topic-level configs to set on creation, not {@code null}; no {@code null} keys or
 *     values
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

  /** Validates and copies the arguments; see the record description for the rules. */
  public TopicSpec {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("topic name must not be blank");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "topic " + name + ": partitions must be at least 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "topic " + name + ": replication factor must be at least 1, got " + replicationFactor);
    }
    configs = Map.copyOf(Objects.requireNonNull(configs, "configs"));
  }
}
