package io.eskafka.kafka;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A projection group as {@link ProjectionAdmin#status(String)} sees it from Kafka alone: its
 * state, members, and per-partition committed offset, end offset and lag. Immutable; everything a
 * status table needs.
 *
 * @param groupId the consumer group, never {@code null}
 * @param state the projection's state, never {@code null}
 * @param groupState Kafka's state of the group ({@code Stable}, {@code Empty}, …), never
 *     {@code null}
 * @param members the active members, never {@code null}
 * @param partitions every partition of the group's topics, sorted, never {@code null}
 * @param error the error a parked runner recorded (cut to about 1000 characters), if any
 */
public record ProjectionStatus(String groupId, State state, String groupState,
    List<Member> members, List<PartitionStatus> partitions, Optional<String> error) {

  /** What a projection is doing, derived from its members and its offsets' metadata. */
  public enum State {
    /** Members are applying events. */
    RUNNING,
    /** Members are replaying a backlog (after a rebuild or a first start). */
    REPLAYING,
    /** A runner parked on a failure; see {@link ProjectionStatus#error()}. */
    PARKED,
    /** No members; the last runner stopped normally. */
    STOPPED,
    /** No members and offsets reset by someone else: the next start rebuilds (JDBC). */
    RESET_PENDING,
    /** No members and no offsets committed by a runner. */
    NOT_STARTED
  }

  /**
   * One active member of the group.
   *
   * @param clientId its client id, never {@code null}
   * @param host its host as the broker sees it, never {@code null}
   * @param partitions how many partitions it is assigned
   */
  public record Member(String clientId, String host, int partitions) {
    /** Validates. */
    public Member {
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(host, "host");
    }
  }

  /**
   * One partition.
   *
   * @param topic the topic, never {@code null}
   * @param partition the partition
   * @param committed the group's committed offset; empty when none
   * @param endOffset the partition's end (last stable offset, as {@code read_committed} sees it)
   * @param lag {@code endOffset} minus the committed offset (or minus the beginning when none)
   * @param state what the offset's writer said: a runner's state, or {@link State#RESET_PENDING}
   *     for a reset not yet picked up, or {@link State#NOT_STARTED} when there is no offset
   */
  public record PartitionStatus(String topic, int partition, OptionalLong committed, long endOffset,
      long lag, State state) {
    /** Validates. */
    public PartitionStatus {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(committed, "committed");
      Objects.requireNonNull(state, "state");
    }
  }

  /** Validates and copies. */
  public ProjectionStatus {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(groupState, "groupState");
    members = List.copyOf(members);
    partitions = List.copyOf(partitions);
    Objects.requireNonNull(error, "error");
  }

  /**
   * Total lag.
   *
   * @return the sum of the partitions' lag
   */
  public long totalLag() {
    return partitions.stream().mapToLong(PartitionStatus::lag).sum();
  }
}
