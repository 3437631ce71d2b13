package io.eskafka.kafka;

import io.eskafka.client.StoredEvent;
import io.eskafka.client.StreamOwner;
import io.eskafka.client.StreamState;
import io.eskafka.client.StreamTrace;
import io.eskafka.client.TraceStep;
import io.eskafka.internal.avro.Snapshot;
import io.eskafka.internal.index.IndexedEvent;
import io.eskafka.internal.index.StreamIndexReader;
import io.eskafka.internal.index.StreamReplay;
import io.eskafka.internal.processor.CommandTopology;
import io.eskafka.internal.processor.SnapshotCodec;
import io.eskafka.kafka.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Queries about one stream, answered from this instance's stores (Kafka Streams interactive
 * queries): its events from the per-stream index (a RocksDB range scan over that stream's keys
 * only, never a scan of the event topic), its current state from the snapshot store, its state at
 * a past version or time by replaying {@code evolve} over its events, and a trace.
 *
 * <p><b>Routing.</b> A stream lives on one partition, served by one instance. {@link #owner} says
 * which (its {@code application.server} address, {@link AppOptions#withApplicationServer}); a
 * query for a stream this instance does not serve throws {@link StreamNotLocalException} naming
 * the owner. Transport between instances is not part of this class; the answer types ({@link
 * StoredEvent}, {@link StreamState}, {@link StreamTrace}) are plain records in {@code
 * io.eskafka.client}, the same for a local and a remote answer.
 *
 * <p><b>Consistency.</b> Reads see the task's own writes at once, including those of the
 * transaction still open (Kafka Streams' interactive queries read RocksDB directly; under
 * exactly-once an aborted transaction's writes are visible until the store is restored). A client
 * that got a result for version V of a stream uses {@link #awaitVersion} before reading to see at
 * least that version (read-your-writes).
 *
 * <p>Thread-safe; every method may block on RocksDB reads only, except {@link #awaitVersion}.
 *
 * @param <S> state type
 */
public final class StreamQueries<S extends SpecificRecord> {

  private static final Duration AWAIT_POLL = Duration.ofMillis(5);

  private final AggregateDefinition<S> aggregate;
  private final KafkaStreams streams;
  private final SnapshotCodec snapshots;
  private final StreamReplay<S> replay;
  private final IntSupplier partitions;
  private final String snapshotStore;
  private final String indexStore;
  private final String erasedStore;

  StreamQueries(AggregateDefinition<S> aggregate, KafkaStreams streams, AvroSerde serde,
      String applicationId, IntSupplier partitions) {
    this.aggregate = aggregate;
    this.streams = streams;
    this.snapshots = CommandTopology.snapshotCodec(applicationId, aggregate.name(), serde);
    this.replay = new StreamReplay<>(aggregate.decider(), serde, aggregate.topics().events());
    this.partitions = partitions;
    this.snapshotStore = CommandTopology.snapshotStore(aggregate.name());
    this.indexStore = CommandTopology.indexStore(aggregate.name());
    this.erasedStore = CommandTopology.erasedStore(aggregate.name());
  }

  /**
   * Which instance serves a stream, from Kafka Streams' metadata ({@code queryMetadataForKey} with
   * the partitioner commands and events use).
   *
   * @param streamId the stream
   * @return the owner; {@code host} is {@code null} when instances advertise no address or the
   *     group is rebalancing
   */
  public StreamOwner owner(String streamId) {
    Objects.requireNonNull(streamId, "streamId");
    int partition = partitionOf(streamId);
    KeyQueryMetadata metadata = streams.queryMetadataForKey(indexStore, streamId,
        new ByStreamId());
    HostInfo active = metadata == null ? null : metadata.activeHost();
    String host = active == null || active.port() < 0 || KeyQueryMetadata.NOT_AVAILABLE
        .equals(metadata) ? null : active.host() + ":" + active.port();
    return new StreamOwner(streamId, partition, host, servesLocally(partition));
  }

  /**
   * All events of a stream, in version order.
   *
   * @param streamId the stream
   * @return its events, empty when it has none (or was deleted)
   * @throws StreamNotLocalException when this instance does not serve the stream
   */
  public List<StoredEvent> events(String streamId) {
    return events(streamId, 1L, Long.MAX_VALUE);
  }

  /**
   * The events of a stream with versions in {@code [fromVersion, toVersion]}, in version order.
   *
   * @param streamId the stream
   * @param fromVersion first version, ≥ 1
   * @param toVersion last version, inclusive ({@link Long#MAX_VALUE}: to the end)
   * @return the events, possibly none
   * @throws IllegalArgumentException when {@code fromVersion < 1}
   * @throws StreamNotLocalException when this instance does not serve the stream
   */
  public List<StoredEvent> events(String streamId, long fromVersion, long toVersion) {
    if (fromVersion < 1) {
      throw new IllegalArgumentException("fromVersion must be >= 1, got " + fromVersion);
    }
    List<StoredEvent> out = new ArrayList<>();
    this.<Bytes, byte[], Long>read(streamId, indexStore, index -> StreamIndexReader.forEach(index,
        streamId, fromVersion, toVersion,
        (indexed, version) -> replay.decode(indexed)
            .forEach(event -> out.add(stored(streamId, version, indexed, event)))));
    return out;
  }

  /**
   * The current state of a stream: its snapshot, or, while a snapshot written by another logic
   * version waits to be rebuilt, its events replayed.
   *
   * @param streamId the stream
   * @return its state, empty when it has no events (or was deleted)
   * @throws StreamNotLocalException when this instance does not serve the stream
   * @throws IllegalStateException when the snapshot is stale and the index has not caught up yet
   *     (right after a restore); retry
   */
  public Optional<StreamState<S>> currentState(String streamId) {
    byte[] raw = this.<String, byte[], byte[]>read(streamId, snapshotStore,
        view -> view.get(streamId));
    if (raw == null) {
      return Optional.empty();
    }
    Snapshot envelope = snapshots.envelope(raw);
    if (envelope.getLogicVersion() == aggregate.logicVersion()) {
      SnapshotCodec.Decoded<S> snapshot = snapshots.decode(raw);
      return Optional.of(new StreamState<>(streamId, snapshot.version(), snapshot.state(),
          snapshot.updatedAt()));
    }
    StreamReplay.Replayed<S> replayed = replayed(streamId, envelope.getVersion(), Long.MAX_VALUE,
        null);
    if (replayed.version() != envelope.getVersion()) {
      throw new IllegalStateException("stream " + streamId + " waits for its snapshot to be "
          + "rebuilt for logic version " + aggregate.logicVersion() + " and its events up to v"
          + envelope.getVersion() + " are not indexed yet; retry");
    }
    return Optional.of(new StreamState<>(streamId, replayed.version(), replayed.state(),
        envelope.getUpdatedAt()));
  }

  /**
   * The state of a stream right after its event {@code version}: {@code evolve} folded over its
   * events 1..version from the initial state, with the current logic; for the stream's last
   * version, its snapshot.
   *
   * @param streamId the stream
   * @param version the version, ≥ 1
   * @return the state, empty when the stream has no event {@code version}
   * @throws IllegalArgumentException when {@code version < 1}
   * @throws StreamNotLocalException when this instance does not serve the stream
   */
  public Optional<StreamState<S>> stateAt(String streamId, long version) {
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    // The head of a stream is its snapshot (when the current logic wrote it): no replay needed.
    byte[] raw = this.<String, byte[], byte[]>read(streamId, snapshotStore,
        view -> view.get(streamId));
    if (raw != null) {
      Snapshot envelope = snapshots.envelope(raw);
      if (envelope.getVersion() == version
          && envelope.getLogicVersion() == aggregate.logicVersion()) {
        SnapshotCodec.Decoded<S> snapshot = snapshots.decode(raw);
        return Optional.of(new StreamState<>(streamId, snapshot.version(), snapshot.state(),
            snapshot.updatedAt()));
      }
    }
    StreamReplay.Replayed<S> replayed = replayed(streamId, version, Long.MAX_VALUE, null);
    return replayed.version() == version ? Optional.of(asState(streamId, replayed))
        : Optional.empty();
  }

  /**
   * The state of a stream as it was at {@code time}: its events appended at or before {@code
   * time} (record timestamps, the appending instance's clock), folded from the initial state.
   *
   * @param streamId the stream
   * @param time the instant
   * @return the state, empty when the stream had no event yet at {@code time}
   * @throws StreamNotLocalException when this instance does not serve the stream
   */
  public Optional<StreamState<S>> stateAt(String streamId, Instant time) {
    Objects.requireNonNull(time, "time");
    StreamReplay.Replayed<S> replayed =
        replayed(streamId, Long.MAX_VALUE, time.toEpochMilli(), null);
    return replayed.version() == 0 ? Optional.empty() : Optional.of(asState(streamId, replayed));
  }

  /**
   * A stream's events, each with the state after it ({@link StreamTrace#render()} prints it).
   *
   * @param streamId the stream
   * @return the trace; no steps when the stream has no events
   * @throws StreamNotLocalException when this instance does not serve the stream
   */
  public StreamTrace<S> trace(String streamId) {
    List<TraceStep<S>> steps = new ArrayList<>();
    replayed(streamId, Long.MAX_VALUE, Long.MAX_VALUE, (version, indexed, event, after) ->
        steps.add(new TraceStep<>(stored(streamId, version, indexed, event), after)));
    return new StreamTrace<>(streamId, aggregate.decider().initialState(), steps);
  }

  /**
   * The version of a stream's last event, as this instance has it.
   *
   * @param streamId the stream
   * @return the version, 0 when it has no events
   * @throws StreamNotLocalException when this instance does not serve the stream
   */
  public long version(String streamId) {
    return this.<Bytes, byte[], Long>read(streamId, indexStore,
        index -> StreamIndexReader.head(index, streamId));
  }

  /**
   * When a stream was deleted, if it was.
   *
   * @param streamId the stream
   * @return the deletion time, empty when the stream was not deleted
   * @throws StreamNotLocalException when this instance does not serve the stream
   */
  public Optional<Instant> deletedAt(String streamId) {
    Long at = this.<String, Long, Long>read(streamId, erasedStore, view -> view.get(streamId));
    return Optional.ofNullable(at).map(Instant::ofEpochMilli);
  }

  /**
   * Waits until this instance has a stream at {@code minVersion} or later: read-your-writes after
   * a command whose result said version {@code minVersion}. Polls the local stores every few
   * milliseconds; retries while the partition is rebalancing or restoring here.
   *
   * @param streamId the stream
   * @param minVersion the version to wait for
   * @param timeout the most to wait
   * @return the version reached, ≥ {@code minVersion}
   * @throws TimeoutException when it was not reached in time (the message says what was seen)
   * @throws InterruptedException when interrupted
   * @throws StreamNotLocalException when another instance owns the stream (the owner is known
   *     and is not this one)
   */
  public long awaitVersion(String streamId, long minVersion, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen;
    while (true) {
      try {
        long version = version(streamId);
        if (version >= minVersion) {
          return version;
        }
        seen = "at version " + version;
      } catch (StreamNotLocalException e) {
        if (e.owner().host() != null && !e.owner().local()) {
          throw e;
        }
        seen = "not served here yet (" + e.getMessage() + ")";
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new TimeoutException("stream " + streamId + " did not reach version " + minVersion
            + " within " + timeout + ": " + seen);
      }
      Thread.sleep(AWAIT_POLL.toMillis());
    }
  }

  private StreamReplay.Replayed<S> replayed(String streamId, long toVersion, long toTimestamp,
      StreamReplay.StepVisitor<S> visitor) {
    return this.<Bytes, byte[], StreamReplay.Replayed<S>>read(streamId, indexStore,
        index -> replay.replay(index, streamId, toVersion, toTimestamp, visitor));
  }

  private StreamState<S> asState(String streamId, StreamReplay.Replayed<S> replayed) {
    return new StreamState<>(streamId, replayed.version(), replayed.state(),
        Instant.ofEpochMilli(replayed.timestamp()));
  }

  private static StoredEvent stored(String streamId, long version, IndexedEvent indexed,
      SpecificRecord event) {
    // The decoded event's own type, not the stored one: an upcaster may have renamed it.
    return new StoredEvent(streamId, version, indexed.eventId(), event.getSchema().getFullName(),
        Instant.ofEpochMilli(indexed.timestamp()), event);
  }

  private int partitionOf(String streamId) {
    int count = partitions.getAsInt();
    if (count == 0) {
      throw new IllegalStateException("application not started");
    }
    return EventKey.partitionOf(streamId, count);
  }

  private boolean servesLocally(int partition) {
    String commands = aggregate.topics().commands();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      for (TaskMetadata task : thread.activeTasks()) {
        if (task.topicPartitions().stream()
            .anyMatch(tp -> tp.partition() == partition && tp.topic().equals(commands))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Runs a read against this instance's store for the stream's partition. Kafka Streams reports a
   * partition that is not (or no longer) served here when the store is used, not when it is
   * looked up, so the read itself is inside the guard.
   */
  private <K, V, T> T read(String streamId, String name,
      java.util.function.Function<ReadOnlyKeyValueStore<K, V>, T> query) {
    Objects.requireNonNull(streamId, "streamId");
    int partition = partitionOf(streamId);
    try {
      return query.apply(streams.store(StoreQueryParameters
          .fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore())
          .withPartition(partition)));
    } catch (InvalidStateStoreException e) {
      StreamOwner owner = owner(streamId);
      throw new StreamNotLocalException(owner, "stream " + streamId + " lives on partition "
          + partition + " of " + aggregate.topics().commands() + ", which this instance does not "
          + "serve right now (" + (owner.host() == null ? "owner unknown: rebalancing, restoring "
          + "or no application.server" : "owned by " + owner.host()) + "): " + e.getMessage(), e);
    }
  }

  /** Places a stream id key like the producer places a command keyed by it. */
  private static final class ByStreamId implements StreamPartitioner<String, Object> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, Object value,
        int numPartitions) {
      return Optional.of(Set.of(EventKey.partitionOf(key, numPartitions)));
    }
  }
}
