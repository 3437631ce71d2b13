package io.eskafka.kafka;

import io.eskafka.internal.projection.CommitMetadata;
import io.eskafka.kafka.ProjectionStatus.Member;
import io.eskafka.kafka.ProjectionStatus.PartitionStatus;
import io.eskafka.kafka.ProjectionStatus.State;
import io.eskafka.kafka.ResetResult.PartitionReset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;

/**
 * Operations on projection groups from outside the runners: reset (replay), status and list. The
 * toolkit's {@code projection} CLI commands are a thin layer over it. Wraps one Kafka
 * {@link Admin} client; close it when done.
 *
 * <p>A <em>projection group</em> is a consumer group whose committed offsets carry a
 * {@link ProjectionRunner}'s marker or a reset's; other groups (Kafka Streams applications,
 * plain consumers) are not listed.
 *
 * <p>Thread safety: safe for concurrent use (the Admin client is); every call blocks until Kafka
 * answers or {@link #TIMEOUT} passes.
 */
public final class ProjectionAdmin implements AutoCloseable {

  /** How long one operation waits for Kafka. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Admin admin;

  private ProjectionAdmin(Admin admin) {
    this.admin = admin;
  }

  /**
   * Connects to a cluster.
   *
   * @param bootstrapServers Kafka bootstrap servers, not {@code null}
   * @return the admin; close it when done
   */
  public static ProjectionAdmin connect(String bootstrapServers) {
    return connect(bootstrapServers, Map.of());
  }

  /**
   * Connects to a cluster with extra Admin client configs (escape hatch: SASL/SSL, timeouts).
   *
   * @param bootstrapServers Kafka bootstrap servers, not {@code null}
   * @param kafkaConfig raw Admin client configs, applied after the bootstrap servers; not
   *     {@code null}
   * @return the admin; close it when done
   */
  public static ProjectionAdmin connect(String bootstrapServers, Map<String, String> kafkaConfig) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.putAll(kafkaConfig);
    return new ProjectionAdmin(Admin.create(config));
  }

  /**
   * Resets a stopped projection's offsets, so that its next start replays from the target (a
   * JDBC projection clears its read model first; see {@link ProjectionRunner}). Every partition
   * of the topics in the group's committed offsets is written, each marked as reset by eskafka
   * with a fresh reset id.
   *
   * @param groupId the projection's consumer group (prefix + name), not {@code null}
   * @param target where to, not {@code null}
   * @return per partition, the offset before and after
   * @throws ResetRefusedException when the group has active members, never committed offsets,
   *     or the target names a partition it does not read or an offset out of range; nothing was
   *     changed
   * @throws KafkaException when Kafka fails or does not answer in time
   */
  public ResetResult reset(String groupId, ResetTarget target) {
    ResetResult plan = plan(groupId, target);
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    String metadata = CommitMetadata.reset(plan.resetId(), target.describe());
    for (PartitionReset partition : plan.partitions()) {
      offsets.put(new TopicPartition(partition.topic(), partition.partition()),
          new OffsetAndMetadata(partition.after(), metadata));
    }
    try {
      await(admin.alterConsumerGroupOffsets(groupId, offsets).all());
    } catch (GroupNotEmptyException | UnknownMemberIdException e) {
      // A member joined between the check and the write: the broker refused the write.
      throw new ResetRefusedException("projection group '" + groupId + "' got an active member "
          + "while being reset; nothing was changed. Stop every instance and try again");
    }
    return new ResetResult(groupId, target, plan.resetId(), true, plan.partitions());
  }

  /**
   * What {@link #reset} would do, without writing anything; refuses in the same cases.
   *
   * @param groupId the projection's consumer group, not {@code null}
   * @param target where to, not {@code null}
   * @return per partition, the offset now and after a reset
   * @throws ResetRefusedException as {@link #reset} does
   * @throws KafkaException when Kafka fails or does not answer in time
   */
  public ResetResult plan(String groupId, ResetTarget target) {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(target, "target");
    Group group = describe(groupId);
    if (!group.members().isEmpty()) {
      Set<String> hosts = group.members().stream().map(MemberDescription::host)
          .collect(Collectors.toCollection(TreeSet::new));
      throw new ResetRefusedException("projection group '" + groupId + "' has "
          + group.members().size() + " active member(s) on " + hosts
          + "; stop every instance of the projection before resetting it");
    }
    Map<TopicPartition, OffsetAndMetadata> committed = committed(groupId);
    if (committed.isEmpty()) {
      throw new ResetRefusedException("projection group '" + groupId
          + "' never committed offsets (or they expired); nothing to reset");
    }
    Set<TopicPartition> partitions = partitionsOf(
        committed.keySet().stream().map(TopicPartition::topic).collect(Collectors.toSet()));
    Map<TopicPartition, Long> after = new HashMap<>();
    if (target instanceof ResetTarget.Earliest) {
      after.putAll(offsets(partitions, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED));
    } else if (target instanceof ResetTarget.AtTime at) {
      Map<TopicPartition, Long> atTime = offsets(partitions,
          OffsetSpec.forTimestamp(at.time().toEpochMilli()), IsolationLevel.READ_COMMITTED);
      Map<TopicPartition, Long> ends =
          offsets(partitions, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
      for (TopicPartition partition : partitions) {
        Long offset = atTime.get(partition);
        // -1: no event at or after that time; the replay starts at the end (nothing to replay).
        after.put(partition, offset == null || offset < 0 ? ends.get(partition) : offset);
      }
    } else if (target instanceof ResetTarget.ToOffsets explicit) {
      Map<TopicPartition, Long> earliest =
          offsets(partitions, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED);
      Map<TopicPartition, Long> latest =
          offsets(partitions, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
      explicit.offsets().forEach((partition, offset) -> {
        if (!partitions.contains(partition)) {
          throw new ResetRefusedException("projection group '" + groupId + "' does not read "
              + partition + "; its partitions are " + sorted(partitions));
        }
        if (offset < earliest.get(partition) || offset > latest.get(partition)) {
          throw new ResetRefusedException("offset " + offset + " for " + partition
              + " is outside the partition (" + earliest.get(partition) + " to "
              + latest.get(partition) + ") in projection group '" + groupId + "'");
        }
      });
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata current = committed.get(partition);
        Long offset = explicit.offsets().get(partition);
        after.put(partition, offset != null ? offset
            : current != null ? current.offset() : earliest.get(partition));
      }
    }
    List<PartitionReset> resets = new ArrayList<>();
    for (TopicPartition partition : sorted(partitions)) {
      OffsetAndMetadata before = committed.get(partition);
      resets.add(new PartitionReset(partition.topic(), partition.partition(),
          before == null ? OptionalLong.empty() : OptionalLong.of(before.offset()),
          after.get(partition)));
    }
    return new ResetResult(groupId, target, UUID.randomUUID().toString(), false, resets);
  }

  /**
   * The status of one projection group.
   *
   * @param groupId the consumer group (prefix + projection name), not {@code null}
   * @return its status; {@link State#NOT_STARTED} with no partitions for an unknown group
   * @throws KafkaException when Kafka fails or does not answer in time
   */
  public ProjectionStatus status(String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    return status(groupId, committed(groupId));
  }

  /**
   * The status of every projection group of the cluster.
   *
   * @return one status per projection group, sorted by group id
   * @throws KafkaException when Kafka fails or does not answer in time
   */
  public List<ProjectionStatus> status() {
    List<ProjectionStatus> statuses = new ArrayList<>();
    projectionGroups().forEach((groupId, committed) -> statuses.add(status(groupId, committed)));
    statuses.sort(Comparator.comparing(ProjectionStatus::groupId));
    return statuses;
  }

  /**
   * The projection groups of the cluster, by group id.
   *
   * @return the group ids, sorted
   * @throws KafkaException when Kafka fails or does not answer in time
   */
  public List<String> list() {
    return projectionGroups().keySet().stream().sorted().toList();
  }

  /** Closes the Admin client. */
  @Override
  public void close() {
    admin.close(TIMEOUT);
  }

  private Map<String, Map<TopicPartition, OffsetAndMetadata>> projectionGroups() {
    Collection<GroupListing> groups =
        await(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all());
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    for (GroupListing group : groups) {
      specs.put(group.groupId(), new ListConsumerGroupOffsetsSpec());
    }
    Map<String, Map<TopicPartition, OffsetAndMetadata>> projections = new HashMap<>();
    if (specs.isEmpty()) {
      return projections;
    }
    Map<String, Map<TopicPartition, OffsetAndMetadata>> all =
        await(admin.listConsumerGroupOffsets(specs).all());
    all.forEach((groupId, offsets) -> {
      Map<TopicPartition, OffsetAndMetadata> present = withoutNulls(offsets);
      boolean marked = present.values().stream().anyMatch(offset ->
          CommitMetadata.decode(offset.metadata()) instanceof CommitMetadata.ByRunner
              || CommitMetadata.decode(offset.metadata())
                  instanceof CommitMetadata.ByOther other && other.byEskafka());
      if (marked) {
        projections.put(groupId, present);
      }
    });
    return projections;
  }

  private ProjectionStatus status(String groupId, Map<TopicPartition, OffsetAndMetadata> committed) {
    Group group = describe(groupId);
    Set<String> topics = new HashSet<>();
    committed.keySet().forEach(partition -> topics.add(partition.topic()));
    List<Member> members = new ArrayList<>();
    for (MemberDescription member : group.members()) {
      Set<TopicPartition> assignment = member.assignment().topicPartitions();
      assignment.forEach(partition -> topics.add(partition.topic()));
      members.add(new Member(member.clientId(), member.host(), assignment.size()));
    }
    Set<TopicPartition> partitions = partitionsOf(topics);
    Map<TopicPartition, Long> ends =
        offsets(partitions, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
    Map<TopicPartition, Long> starts =
        offsets(partitions, OffsetSpec.earliest(), IsolationLevel.READ_COMMITTED);
    List<PartitionStatus> rows = new ArrayList<>();
    String error = null;
    boolean parked = false;
    boolean replaying = false;
    boolean reset = false;
    boolean byRunner = false;
    for (TopicPartition partition : sorted(partitions)) {
      OffsetAndMetadata offset = committed.get(partition);
      long end = ends.get(partition);
      State state = State.NOT_STARTED;
      if (offset != null) {
        CommitMetadata.Decoded decoded = CommitMetadata.decode(offset.metadata());
        if (decoded instanceof CommitMetadata.ByRunner runner) {
          byRunner = true;
          state = switch (runner.state()) {
            case RUNNING -> State.RUNNING;
            case REPLAYING -> State.REPLAYING;
            case PARKED -> State.PARKED;
          };
          if (state == State.PARKED) {
            parked = true;
            error = error == null && !runner.error().isEmpty() ? runner.error() : error;
          }
          replaying |= state == State.REPLAYING;
        } else {
          state = State.RESET_PENDING;
          reset = true;
        }
      }
      long from = offset != null ? offset.offset() : starts.get(partition);
      rows.add(new PartitionStatus(partition.topic(), partition.partition(),
          offset == null ? OptionalLong.empty() : OptionalLong.of(offset.offset()), end,
          Math.max(0, end - from), state));
    }
    State state;
    if (parked) {
      state = State.PARKED;
    } else if (!members.isEmpty()) {
      state = replaying ? State.REPLAYING : State.RUNNING;
    } else if (reset) {
      state = State.RESET_PENDING;
    } else {
      state = byRunner ? State.STOPPED : State.NOT_STARTED;
    }
    return new ProjectionStatus(groupId, state, group.state(), members, rows,
        Optional.ofNullable(error));
  }

  /** Members and state of a group; an unknown group has none and is "Dead". */
  private record Group(List<MemberDescription> members, String state) {}

  private Group describe(String groupId) {
    try {
      ConsumerGroupDescription description =
          await(admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId));
      return new Group(List.copyOf(description.members()), description.groupState().toString());
    } catch (GroupIdNotFoundException e) {
      return new Group(List.of(), "Dead");
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(String groupId) {
    return withoutNulls(await(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()));
  }

  private Set<TopicPartition> partitionsOf(Set<String> topics) {
    Set<TopicPartition> partitions = new HashSet<>();
    if (topics.isEmpty()) {
      return partitions;
    }
    Map<String, TopicDescription> descriptions = await(admin.describeTopics(topics).allTopicNames());
    descriptions.forEach((topic, description) -> {
      for (TopicPartitionInfo info : description.partitions()) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
    });
    return partitions;
  }

  private Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions, OffsetSpec spec,
      IsolationLevel isolation) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(partition -> request.put(partition, spec));
    Map<TopicPartition, ListOffsetsResultInfo> result =
        await(admin.listOffsets(request, new ListOffsetsOptions(isolation)).all());
    Map<TopicPartition, Long> offsets = new HashMap<>();
    result.forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  private static Map<TopicPartition, OffsetAndMetadata> withoutNulls(
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
    offsets.forEach((partition, offset) -> {
      if (offset != null) {
        present.put(partition, offset);
      }
    });
    return present;
  }

  private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
    return partitions.stream()
        .sorted(Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition))
        .toList();
  }

  private static <T> T await(KafkaFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while waiting for Kafka", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KafkaException kafka) {
        throw kafka;
      }
      throw new KafkaException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new org.apache.kafka.common.errors.TimeoutException(
          "Kafka did not answer within " + TIMEOUT, e);
    }
  }
}
