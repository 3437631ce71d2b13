package io.eskafka.kafka;

import io.eskafka.internal.projection.CommitMetadata;
import io.eskafka.internal.projection.CommitMetadata.RunnerState;
import io.eskafka.internal.projection.JdbcOffsetTable;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.projection.AtLeastOnceProjection;
import io.eskafka.projection.EventEnvelope;
import io.eskafka.projection.EventSelection;
import io.eskafka.projection.JdbcProjection;
import io.eskafka.projection.Projection;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Projection} as its own Kafka consumer group ({@code group.id} = prefix + name),
 * on its own thread, reading {@code read_committed} so that events of aborted transactions are
 * never seen. Instances with the same projection share the partitions; events of a partition are
 * handled in order.
 *
 * <ul>
 *   <li><b>At-least-once</b> ({@link AtLeastOnceProjection}): each event of a poll batch is handled,
 *       then the batch's offsets are committed to Kafka, in the background (a revocation and a
 *       close wait for it). Events handled since the last commit that landed are handled again
 *       after a crash or a rebalance. Kafka's committed offsets are the truth, so a
 *       reset of the group's offsets simply repositions it (its read model is not cleared).
 *   <li><b>JDBC, exactly-once effects</b> ({@link JdbcProjection}): one database transaction per
 *       poll batch holds the handler's changes and the projection's next offsets (table
 *       {@code eskafka_projection_offsets}); only after it commits are the same offsets committed to
 *       Kafka (in the background), for lag and status tools. On assignment each partition is positioned where the
 *       database says (the beginning when it has no row), so neither a crash between the two
 *       commits nor a partition moving between instances applies an event twice or skips one.
 * </ul>
 *
 * <p><b>Resets rebuild a JDBC projection.</b> The runner marks every offset it commits to Kafka
 * (metadata {@code eskafka-runner/1 <state>}); a committed offset of the group with any other
 * metadata was written by someone else — {@link ProjectionAdmin#reset} or Kafka's
 * {@code kafka-consumer-groups --reset-offsets} — while the group was empty. On assignment the
 * runner reads the group's committed offsets for every partition of its topics; when one is not
 * its own, it rebuilds in one database transaction (holding the projection's row in
 * {@code eskafka_projection_state}): runs the projection's {@code clear}, replaces the stored
 * offsets with the group's committed offsets, and records the reset's fingerprint as pending. It
 * then acknowledges the reset by committing its own marker for all those partitions, forgets the
 * pending reset, and only then applies events. The decision is re-taken under the row lock with a
 * fresh read of Kafka, so of several instances starting after a reset exactly one clears.
 *
 * <p><b>Failures</b>: a handler or database that throws is retried with backoff
 * ({@link ProjectionOptions#retry()}; partitions paused, the consumer keeps polling so it stays in
 * the group), then the projection <em>parks</em>: the thread stops, the offsets it commits say
 * {@code PARKED} with the error (so {@link ProjectionAdmin#status} in another JVM shows it), its
 * consumer leaves the group, {@link #status()} becomes {@link Status#PARKED} and {@link #failure()}
 * says what and where. An undecodable event parks at once or is skipped
 * ({@link ProjectionOptions#undecodableEvents()}). No offset is moved past an event that was not
 * applied (a JDBC batch is rolled back whole; an at-least-once projection commits the events
 * handled before the failing one).
 *
 * <p><b>Progress</b>: after a rebuild, or on the first assignment when there is a backlog, the
 * runner replays up to the end offsets captured then, logs its progress at INFO every
 * {@link ProjectionOptions#progressInterval()} and reports it in {@link #progress()}.
 *
 * <p>Thread safety: {@link #status()}, {@link #failure()}, {@link #progress()},
 * {@link #assignedPartitions()} and {@link #close()} may be called from any thread; handlers run
 * only on the runner's thread.
 */
public final class ProjectionRunner implements AutoCloseable {

  /** Life cycle of a runner. */
  public enum Status {
    /** Polling and applying events (or backing off before a retry). */
    RUNNING,
    /** Stopped on a failure; see {@link ProjectionRunner#failure()}. */
    PARKED,
    /** Stopped by {@link ProjectionRunner#close()}. */
    STOPPED
  }

  private static final Logger LOG = LoggerFactory.getLogger(ProjectionRunner.class);

  private final Projection projection;
  private final AvroSerde serde;
  private final ProjectionOptions options;
  private final String groupId;
  private final BatchApplier applier;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean closing;
  private volatile Status status = Status.RUNNING;
  private volatile ProjectionParkedException failure;
  private volatile Set<TopicPartition> assigned = Set.of();
  private volatile ProjectionProgress progress =
      new ProjectionProgress(false, 0, 0, 0, Optional.empty(), 0, 0);

  // The runner thread's own state.
  /** Assigned partitions not yet positioned (and paused until they are). */
  private final Set<TopicPartition> unprepared = new HashSet<>();
  private final ReplayTracker replay = new ReplayTracker();
  private boolean firstPreparation = true;
  private int failures;
  private long backoffUntilNanos;
  private boolean rewindNeeded;
  private long skippedUndecodable;
  private long nextProgressLogNanos;
  /** The offsets this instance last committed to Kafka, to notice idle position moves. */
  private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
  /** Batch commits sent in the background and not confirmed yet, flushed before a revocation. */
  private final Map<TopicPartition, OffsetAndMetadata> unconfirmed = new HashMap<>();

  private ProjectionRunner(Projection projection, AvroSerde serde, ProjectionOptions options,
      DataSource dataSource) {
    this.projection = projection;
    this.serde = Objects.requireNonNull(serde, "serde");
    this.options = Objects.requireNonNull(options, "options");
    this.groupId = options.groupIdPrefix() + projection.name();
    this.applier = dataSource == null
        ? new AtLeastOnceApplier((AtLeastOnceProjection) projection)
        : new JdbcApplier((JdbcProjection) projection, dataSource);
    this.consumer = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "eskafka-projection-" + projection.name());
  }

  /**
   * Starts an at-least-once projection.
   *
   * @param projection the projection, not {@code null}
   * @param serde decodes the events, not {@code null}
   * @param options runner settings, not {@code null}
   * @return the running runner; close it to stop
   */
  public static ProjectionRunner start(AtLeastOnceProjection projection, AvroSerde serde,
      ProjectionOptions options) {
    Objects.requireNonNull(projection, "projection");
    ProjectionRunner runner = new ProjectionRunner(projection, serde, options, null);
    runner.thread.start();
    return runner;
  }

  /**
   * Starts a JDBC projection: creates the toolkit's tables and runs the projection's schema
   * statements (all idempotent) on the calling thread, then starts consuming.
   *
   * @param projection the projection, not {@code null}
   * @param dataSource its database (H2, PostgreSQL, …), not {@code null}; each batch takes one
   *     connection from it, so use a pooled data source where opening connections is slow
   * @param serde decodes the events, not {@code null}
   * @param options runner settings, not {@code null}
   * @return the running runner; close it to stop
   * @throws SQLException when the tables cannot be created; nothing was started
   */
  public static ProjectionRunner start(JdbcProjection projection, DataSource dataSource,
      AvroSerde serde, ProjectionOptions options) throws SQLException {
    Objects.requireNonNull(projection, "projection");
    Objects.requireNonNull(dataSource, "dataSource");
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        JdbcOffsetTable.create(connection);
        for (String ddl : projection.schema()) {
          statement.execute(ddl);
        }
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      }
      JdbcOffsetTable.ensureStateRow(connection, projection.name());
    }
    ProjectionRunner runner = new ProjectionRunner(projection, serde, options, dataSource);
    runner.thread.start();
    return runner;
  }

  /**
   * The consumer group this runner belongs to.
   *
   * @return prefix + projection name
   */
  public String groupId() {
    return groupId;
  }

  /**
   * Where the runner is in its life cycle.
   *
   * @return the status, never {@code null}
   */
  public Status status() {
    return status;
  }

  /**
   * Why the runner parked.
   *
   * @return the failure when {@link #status()} is {@link Status#PARKED}, else empty
   */
  public Optional<ProjectionParkedException> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * This instance's replay progress and failure counters, as of its last batch.
   *
   * @return a snapshot, never {@code null}
   */
  public ProjectionProgress progress() {
    return progress;
  }

  /**
   * The partitions this instance currently owns (as of its last rebalance).
   *
   * @return an immutable snapshot, empty before the first assignment and after stopping
   */
  public Set<TopicPartition> assignedPartitions() {
    return assigned;
  }

  /**
   * Stops gracefully: the batch in progress is finished and committed, then the consumer leaves
   * the group. Idempotent; waits up to {@link ProjectionOptions#closeTimeout()}.
   */
  @Override
  public void close() {
    closing = true;
    if (thread.isAlive()) {
      // The consumer is the runner thread's; wakeup() is its one thread-safe method.
      consumer.wakeup();
    }
    try {
      thread.join(options.closeTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("projection {}: still running {} after close was requested", projection.name(),
          options.closeTimeout());
    }
  }

  private Map<String, Object> consumerConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, options.maxBatchSize());
    config.putAll(options.kafkaOverrides());
    // After the overrides, which may not set these (ProjectionOptions refuses them).
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  private void run() {
    try {
      consumer.subscribe(projection.events().topics(), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          // Batches are applied between polls, never inside one: the last batch was applied (or
          // rolled back) before this poll began; only its background commit may still be on its
          // way, and the next owner should start after it.
          confirmCommits(partitions);
          forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
          forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          Set<TopicPartition> now = new HashSet<>(assigned);
          now.addAll(partitions);
          assigned = Set.copyOf(now);
          // Positioned outside the callback (a rebuild may take a while and may fail): paused until
          // then, so that no event of theirs is fetched from the wrong place.
          unprepared.addAll(partitions);
          consumer.pause(partitions);
        }
      });
      while (!closing) {
        long remaining = backoffUntilNanos - System.nanoTime();
        try {
          if (remaining > 0) {
            // Backing off: every partition paused, polling only to stay in the group.
            consumer.pause(consumer.assignment());
            consumer.poll(Duration.ofNanos(Math.min(remaining, options.pollTimeout().toNanos())));
            continue;
          }
          if (rewindNeeded) {
            applier.rewind(prepared());
            rewindNeeded = false;
          }
          if (!unprepared.isEmpty()) {
            prepare();
          }
          if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
          }
          ConsumerRecords<byte[], byte[]> records = consumer.poll(options.pollTimeout());
          if (!records.isEmpty()) {
            applier.apply(records);
            failures = 0;
          } else {
            commitIdleMoves();
          }
          trackReplay();
        } catch (WakeupException e) {
          break;
        } catch (RetryableFailure e) {
          backOff(e);
        }
      }
      status = Status.STOPPED;
    } catch (ProjectionParkedException e) {
      park(e);
    } catch (RuntimeException | Error e) {
      park(new ProjectionParkedException("projection " + projection.name() + " failed: " + e, e));
    } finally {
      assigned = Set.of();
      try {
        confirmCommits(new ArrayList<>(unconfirmed.keySet()));
        consumer.close(CloseOptions.timeout(options.closeTimeout()));
      } catch (RuntimeException e) {
        LOG.warn("projection {}: closing the consumer failed", projection.name(), e);
      }
    }
  }

  /** Assigned partitions that are positioned. */
  private Set<TopicPartition> prepared() {
    Set<TopicPartition> prepared = new HashSet<>(consumer.assignment());
    prepared.removeAll(unprepared);
    return prepared;
  }

  private void backOff(RetryableFailure e) {
    failures++;
    publishProgress();
    int attempts = options.retry().maxAttempts();
    if (failures >= attempts) {
      throw new ProjectionParkedException(e.getMessage()
          + (attempts > 1 ? " (gave up after " + attempts + " attempts)" : ""), e.getCause());
    }
    Duration wait = options.retry().backoffBefore(failures);
    LOG.warn("{}; attempt {}/{} failed, retrying in {} ms", e.getMessage(), failures, attempts,
        wait.toMillis());
    consumer.pause(consumer.assignment());
    backoffUntilNanos = System.nanoTime() + wait.toNanos();
    rewindNeeded = true;
  }

  /** Positions the newly assigned partitions (rebuilding first when the offsets were reset). */
  private void prepare() {
    Set<TopicPartition> ready = new HashSet<>(unprepared);
    ready.retainAll(consumer.assignment());
    boolean reset;
    Map<TopicPartition, Long> ends;
    try {
      reset = applier.prepare(ready);
      ends = reset || firstPreparation || replay.active()
          ? consumer.endOffsets(consumer.assignment())
          : Map.of();
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      throw new RetryableFailure("projection " + projection.name()
          + ": Kafka failure positioning partitions " + ready + ": " + e, e);
    }
    unprepared.clear();
    failures = 0;
    long now = System.nanoTime();
    if (reset || firstPreparation) {
      if (replay.begin(positions(consumer.assignment()), ends, now)) {
        LOG.info("projection {}: replaying {} events ({})", projection.name(), replay.total(),
            reset ? "after a reset" : "backlog at start");
        nextProgressLogNanos = now + options.progressInterval().toNanos();
      }
    } else if (replay.active()) {
      positions(ready).forEach((partition, position) ->
          replay.add(partition, position, ends.getOrDefault(partition, position)));
    }
    firstPreparation = false;
    applier.commitMarkers(ready, runnerState(), null);
    publishProgress();
  }

  /**
   * A poll without records can still move a position past a transaction marker: committed too
   * (informational for JDBC, where the database's offset stays before the marker, which is as
   * good), so that a caught-up projection shows a lag of 0 rather than 1.
   */
  private void commitIdleMoves() {
    Map<TopicPartition, Long> moved = new HashMap<>();
    positions(prepared()).forEach((partition, position) -> {
      Long last = lastCommitted.get(partition);
      if (last != null && position > last) {
        moved.put(partition, position);
      }
    });
    if (!moved.isEmpty()) {
      commitQuietly(marked(moved, runnerState(), null));
    }
  }

  /** After a batch: replay bookkeeping, the progress line, the end of a replay. */
  private void trackReplay() {
    if (replay.active()) {
      long now = System.nanoTime();
      Set<TopicPartition> tracked = new HashSet<>(replay.partitions());
      tracked.retainAll(consumer.assignment());
      positions(tracked).forEach(replay::update);
      if (replay.finishIfDone(now)) {
        ProjectionProgress done = replay.snapshot(skippedUndecodable, failures, now);
        LOG.info("projection {}: replay done: {} events in {} s ({} events/s)", projection.name(),
            done.eventsDone(), String.format("%.1f", replay.elapsedSeconds(now)),
            String.format("%.0f", done.eventsPerSecond()));
        applier.commitMarkers(prepared(), RunnerState.RUNNING, null);
      } else if (now >= nextProgressLogNanos) {
        LOG.info("projection {}: replaying: {}", projection.name(),
            replay.snapshot(skippedUndecodable, failures, now).describe());
        nextProgressLogNanos = now + options.progressInterval().toNanos();
      }
    }
    publishProgress();
  }

  private void publishProgress() {
    progress = replay.snapshot(skippedUndecodable, failures, System.nanoTime());
  }

  private RunnerState runnerState() {
    return replay.active() ? RunnerState.REPLAYING : RunnerState.RUNNING;
  }

  /** Positions that are known without a round trip to the broker (all of them, normally). */
  private Map<TopicPartition, Long> positions(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> positions = new HashMap<>();
    for (TopicPartition partition : partitions) {
      try {
        positions.put(partition, consumer.position(partition, options.pollTimeout()));
      } catch (TimeoutException e) {
        // Not known yet; the next batch will tell.
      }
    }
    return positions;
  }

  private void park(ProjectionParkedException e) {
    failure = e;
    try {
      applier.commitMarkers(consumer.assignment(), RunnerState.PARKED, e.getMessage());
    } catch (RuntimeException commitFailure) {
      LOG.warn("projection {}: could not record the park in the group's offsets: {}",
          projection.name(), commitFailure.toString());
    }
    status = Status.PARKED;
    // The message starts with "projection <name>: ": the log line reads "parked projection x: …".
    LOG.error("parked {}", e.getMessage(), e.getCause());
  }

  private void forget(Collection<TopicPartition> partitions) {
    Set<TopicPartition> now = new HashSet<>(assigned);
    now.removeAll(partitions);
    assigned = Set.copyOf(now);
    unprepared.removeAll(partitions);
    replay.remove(partitions);
    applier.onRevoked(partitions);
  }

  /**
   * Decodes a record into the envelopes of the events it stands for today: one, unless an
   * upcaster split or dropped it ({@link AvroSerde#deserializeEvents}).
   *
   * @return the envelopes in order; empty when the events are filtered out, the record is a
   *     tombstone (not an event), or it is undecodable and the policy says skip
   * @throws ProjectionParkedException when the key or the value cannot be decoded (policy PARK)
   */
  private List<EventEnvelope> envelopes(ConsumerRecord<byte[], byte[]> record) {
    EventSelection selection = projection.events();
    // The header lets filtered-out events skip decoding; without a filter it is not even read.
    // It names the stored type: an upcast type may become a selected one on decoding.
    String headerType = selection.eventTypes().isEmpty()
        ? null : header(record, MessageHeaders.EVENT_TYPE);
    if (headerType != null && !selection.accepts(headerType) && !serde.upcasts(headerType)) {
      return List.of();
    }
    if (record.value() == null) {
      return List.of();
    }
    try {
      if (record.key() == null) {
        throw new IllegalArgumentException("event record without a key");
      }
      EventKey key = EventKey.parse(new String(record.key(), StandardCharsets.UTF_8));
      List<SpecificRecord> events = serde.deserializeEvents(record.topic(), record.value());
      List<EventEnvelope> envelopes = new ArrayList<>(events.size());
      String eventId = header(record, MessageHeaders.EVENT_ID);
      Instant timestamp = null;
      for (SpecificRecord event : events) {
        String type = event.getSchema().getFullName();
        if (selection.accepts(type)) {
          timestamp = timestamp == null ? timestamp(record) : timestamp;
          envelopes.add(new EventEnvelope(key.streamId(), key.version(), eventId, type, timestamp,
              record.topic(), record.partition(), record.offset(), event));
        }
      }
      return envelopes;
    } catch (RuntimeException e) {
      if (options.undecodableEvents() == UndecodableEventPolicy.SKIP) {
        skippedUndecodable++;
        LOG.warn("projection {}: skipped undecodable event at {} ({} skipped so far): {}",
            projection.name(), position(record), skippedUndecodable, e.toString());
        return List.of();
      }
      throw new ProjectionParkedException("projection " + projection.name()
          + ": undecodable event at " + position(record) + ": " + e.getMessage(), e);
    }
  }

  private static Instant timestamp(ConsumerRecord<byte[], byte[]> record) {
    // The aggregate writes the same instant as the record's create time and as the header; the
    // header only matters where the broker replaced the timestamp (LogAppendTime topics). Parsing
    // it for every event cost a fifth of a replay's time.
    if (record.timestampType() == TimestampType.CREATE_TIME) {
      return Instant.ofEpochMilli(record.timestamp());
    }
    String header = header(record, MessageHeaders.TIMESTAMP);
    if (header != null) {
      try {
        return Instant.parse(header);
      } catch (DateTimeParseException e) {
        // Fall through: the record's own timestamp is the append time too, to the millisecond.
      }
    }
    return Instant.ofEpochMilli(record.timestamp());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String position(ConsumerRecord<byte[], byte[]> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }

  /** Commits offsets to Kafka; a wakeup (a close racing the commit) does not lose it. */
  private void commitToKafka(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException e) {
      // The wakeup was meant for the next poll; the loop sees `closing` after this batch.
      consumer.commitSync(offsets);
    }
    offsets.forEach((partition, offset) -> {
      lastCommitted.put(partition, offset.offset());
      unconfirmed.remove(partition); // superseded: landed after any background commit before it
    });
  }

  /**
   * Commits a batch's offsets without waiting for the coordinator: a synchronous commit per batch
   * costs a round trip per poll, which caps a replay at a fraction of what the consumer reads.
   * Nothing depends on it having landed before the next batch: an at-least-once projection
   * handles events again after a crash anyway (a commit in flight widens that by one batch), and
   * for JDBC the database holds the truth. Commits land in the order they are sent; a failed one
   * is logged and superseded by the next. A revocation waits for them ({@link #confirmCommits}).
   */
  private void commitInBackground(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    unconfirmed.putAll(offsets);
    offsets.forEach((partition, offset) -> lastCommitted.put(partition, offset.offset()));
    consumer.commitAsync(offsets, (committed, error) -> {
      if (error != null) {
        LOG.debug("projection {}: background offset commit failed (the next one supersedes it): "
            + "{}", projection.name(), error.toString());
        return;
      }
      // Callbacks run on the runner's thread (inside poll or commitSync).
      committed.forEach((partition, offset) -> unconfirmed.remove(partition, offset));
    });
  }

  /** Commits synchronously what background commits of these partitions sent last (best effort). */
  private void confirmCommits(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    for (TopicPartition partition : partitions) {
      OffsetAndMetadata offset = unconfirmed.remove(partition);
      if (offset != null) {
        pending.put(partition, offset);
      }
    }
    commitQuietly(pending);
  }

  /** Best effort: a status marker that does not land only leaves the status one step behind. */
  private void commitQuietly(Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      commitToKafka(offsets);
    } catch (KafkaException e) {
      LOG.debug("projection {}: informational offset commit failed: {}", projection.name(),
          e.toString());
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> marked(Map<TopicPartition, Long> next,
      RunnerState state, String error) {
    String metadata = CommitMetadata.runner(state, error);
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    next.forEach((partition, offset) ->
        offsets.put(partition, new OffsetAndMetadata(offset, metadata)));
    return offsets;
  }

  /**
   * The consumer's position after a batch, for each of the batch's partitions: past the records
   * returned and past any transaction markers after them, so that lag reads 0 when caught up.
   */
  private Map<TopicPartition, Long> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, Long> next = new LinkedHashMap<>();
    for (TopicPartition partition : records.partitions()) {
      next.put(partition, consumer.position(partition));
    }
    return next;
  }

  /** A failure worth retrying: a handler or the database threw, a commit did not land. */
  private static final class RetryableFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RetryableFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** How a poll batch is applied and where partitions start: one per kind of projection. */
  private interface BatchApplier {

    void apply(ConsumerRecords<byte[], byte[]> records);

    /**
     * Positions newly assigned partitions, handling a reset of the group's offsets.
     *
     * @return whether the group's offsets had been reset (a replay begins)
     */
    boolean prepare(Set<TopicPartition> partitions);

    /** After a failed batch, puts the partitions back where the last applied event left them. */
    void rewind(Set<TopicPartition> partitions);

    /** Commits the current offsets of these partitions with the runner's marker (best effort). */
    void commitMarkers(Set<TopicPartition> partitions, RunnerState state, String error);

    void onRevoked(Collection<TopicPartition> partitions);
  }

  /** Handle each event, then commit the batch's offsets to Kafka. */
  private final class AtLeastOnceApplier implements BatchApplier {

    private final AtLeastOnceProjection projection;

    AtLeastOnceApplier(AtLeastOnceProjection projection) {
      this.projection = projection;
    }

    @Override
    public void apply(ConsumerRecords<byte[], byte[]> records) {
      Map<TopicPartition, Long> done = new LinkedHashMap<>();
      Map<TopicPartition, Long> firstUnhandled = new HashMap<>();
      RetryableFailure failed = null;
      // Partition by partition (the order a poll's records come in anyway), so that progress is
      // recorded once per partition rather than once per record.
      for (TopicPartition partition : records.partitions()) {
        List<ConsumerRecord<byte[], byte[]>> batch = records.records(partition);
        if (failed != null) {
          firstUnhandled.put(partition, batch.get(0).offset());
          continue;
        }
        long handledUpTo = -1;
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          try {
            for (EventEnvelope envelope : envelopes(record)) {
              projection.handler().handle(envelope);
            }
          } catch (ProjectionParkedException e) {
            // Undecodable: keep what was handled, the offsets stop right before it.
            if (handledUpTo >= 0) {
              done.put(partition, handledUpTo);
            }
            commitQuietly(marked(done, runnerState(), null));
            throw e;
          } catch (Exception e) {
            failed = new RetryableFailure("projection " + projection.name()
                + ": handler failed at " + position(record) + ": " + e, e);
            firstUnhandled.put(partition, record.offset());
            break;
          }
          handledUpTo = record.offset() + 1;
        }
        if (handledUpTo >= 0) {
          done.put(partition, handledUpTo);
        }
      }
      if (failed != null) {
        // Keep what was handled; the unhandled events are fetched again after the backoff.
        commitQuietly(marked(done, runnerState(), null));
        firstUnhandled.forEach(consumer::seek);
        throw failed;
      }
      // If it fails (a rebalance took the partitions), their new owner handles these events
      // again, which an at-least-once handler tolerates.
      commitInBackground(marked(nextOffsets(records), runnerState(), null));
    }

    @Override
    public boolean prepare(Set<TopicPartition> partitions) {
      // Kafka's committed offsets are the truth here (auto.offset.reset=earliest when none); a
      // reset only repositions the projection: its read model is not cleared.
      Map<TopicPartition, OffsetAndMetadata> committed = committed(partitions);
      if (CommitMetadata.containsReset(committed)) {
        LOG.info("projection {}: the group's offsets were reset; at-least-once projection "
            + "resumes from them (its read model is not cleared)", projection.name());
        return true;
      }
      return false;
    }

    @Override
    public void rewind(Set<TopicPartition> partitions) {
      // Done in apply: the failing batch's unhandled events were sought back to right away.
    }

    @Override
    public void commitMarkers(Set<TopicPartition> partitions, RunnerState state, String error) {
      Map<TopicPartition, Long> offsets = new HashMap<>();
      try {
        committed(partitions).forEach((partition, offset) -> {
          if (offset != null) {
            offsets.put(partition, offset.offset());
          }
        });
      } catch (KafkaException e) {
        LOG.debug("projection {}: cannot read committed offsets: {}", projection.name(),
            e.toString());
        return;
      }
      commitQuietly(marked(offsets, state, error));
    }

    @Override
    public void onRevoked(Collection<TopicPartition> partitions) {
      // Every batch is committed before the next poll; nothing to flush.
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
      return partitions.isEmpty() ? Map.of() : consumer.committed(partitions);
    }
  }

  /** One transaction per batch with the offsets; the database decides where partitions start. */
  private final class JdbcApplier implements BatchApplier {

    private final JdbcProjection projection;
    private final DataSource dataSource;
    /** Next offset per owned partition as stored in the database; absent = no row yet. */
    private final Map<TopicPartition, Long> stored = new HashMap<>();

    JdbcApplier(JdbcProjection projection, DataSource dataSource) {
      this.projection = projection;
      this.dataSource = dataSource;
    }

    @Override
    public void apply(ConsumerRecords<byte[], byte[]> records) {
      Map<TopicPartition, Long> next;
      boolean advanced;
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          for (ConsumerRecord<byte[], byte[]> record : records) {
            for (EventEnvelope envelope : envelopes(record)) {
              try {
                projection.handler().handle(envelope, connection);
              } catch (SQLException | RuntimeException e) {
                throw new RetryableFailure("projection " + projection.name()
                    + ": handler failed at " + position(record) + " (batch rolled back): " + e, e);
              }
            }
          }
          next = nextOffsets(records);
          advanced = JdbcOffsetTable.advance(connection, projection.name(), next, stored);
          if (advanced) {
            connection.commit();
          } else {
            connection.rollback();
          }
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(connection);
          throw e;
        }
      } catch (SQLException e) {
        throw new RetryableFailure("projection " + projection.name()
            + ": database failure applying a batch (its offsets in the database say whether it "
            + "committed; nothing was committed to Kafka): " + e, e);
      }
      if (!advanced) {
        // Another instance moved one of these partitions' offsets (we lost it without noticing
        // yet): the batch is void. Start again from what the database says.
        LOG.warn("projection {}: stored offsets moved under this instance; batch rolled back, "
            + "resuming from the database", projection.name());
        seekToStored(consumer.assignment());
        return;
      }
      stored.putAll(next);
      // Informational only (lag and status tools); the database holds the truth.
      commitInBackground(marked(next, runnerState(), null));
    }

    @Override
    public boolean prepare(Set<TopicPartition> partitions) {
      try {
        Map<TopicPartition, OffsetAndMetadata> committed = groupOffsets();
        if (!CommitMetadata.containsReset(committed)) {
          // No reset waiting, and none can happen while this instance is in the group (resets
          // need an empty group): a pending one in the database was acknowledged already.
          inTransaction(connection ->
              JdbcOffsetTable.clearPendingReset(connection, projection.name(), null));
          seekToStored(partitions);
          return false;
        }
        Map<TopicPartition, OffsetAndMetadata> reset = rebuildUnlessDone();
        if (reset == null) {
          seekToStored(partitions);
          return false;
        }
        seekToStored(consumer.assignment());
        acknowledge(reset);
        String fingerprint = CommitMetadata.fingerprint(reset);
        inTransaction(connection ->
            JdbcOffsetTable.clearPendingReset(connection, projection.name(), fingerprint));
        return true;
      } catch (SQLException e) {
        throw new RetryableFailure("projection " + projection.name()
            + ": database failure positioning partitions " + partitions + ": " + e, e);
      } catch (KafkaException e) {
        if (e instanceof WakeupException wakeup) {
          throw wakeup;
        }
        throw new RetryableFailure("projection " + projection.name()
            + ": Kafka failure positioning partitions " + partitions + ": " + e, e);
      }
    }

    /**
     * The rebuild decision, serialized by the projection's row in the state table: under the lock,
     * Kafka is read again. A reset already acknowledged (another instance finished it) or already
     * rebuilt but not yet acknowledged (its fingerprint is pending) is not rebuilt again.
     *
     * @return the group's committed offsets when a reset is waiting for acknowledgement (whether
     *     this call rebuilt or an earlier one did), {@code null} when there is none any more
     */
    private Map<TopicPartition, OffsetAndMetadata> rebuildUnlessDone() throws SQLException {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          String pending = JdbcOffsetTable.lockState(connection, projection.name());
          Map<TopicPartition, OffsetAndMetadata> committed = groupOffsets();
          if (!CommitMetadata.containsReset(committed)) {
            connection.commit();
            return null;
          }
          String fingerprint = CommitMetadata.fingerprint(committed);
          if (fingerprint.equals(pending)) {
            connection.commit();
            LOG.info("projection {}: the reset of its offsets was already rebuilt by another "
                + "instance; acknowledging it", projection.name());
            return committed;
          }
          projection.clear().run(connection);
          Map<TopicPartition, Long> from = new HashMap<>();
          committed.forEach((partition, offset) -> {
            if (offset != null) {
              from.put(partition, offset.offset());
            }
          });
          JdbcOffsetTable.replace(connection, projection.name(), from);
          JdbcOffsetTable.markPendingReset(connection, projection.name(), fingerprint);
          connection.commit();
          LOG.info("projection {}: the group's offsets were reset ({}); read model cleared, "
              + "rebuilding from {}", projection.name(), describeReset(committed), from);
          return committed;
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(connection);
          throw e;
        }
      }
    }

    /**
     * Overwrites the reset's marks with the runner's, for every partition of the reset (also those
     * of other instances), with the database's offsets. Until this lands no event is applied, so a
     * reset whose rebuild is pending has had nothing applied on top of it.
     */
    private void acknowledge(Map<TopicPartition, OffsetAndMetadata> reset) throws SQLException {
      Map<TopicPartition, Long> offsets;
      try (Connection connection = dataSource.getConnection()) {
        offsets = JdbcOffsetTable.load(connection, projection.name());
      }
      offsets.keySet().retainAll(reset.keySet());
      commitToKafka(marked(offsets, RunnerState.REPLAYING, null));
    }

    /** Committed offsets of the group for every partition of the projection's topics. */
    private Map<TopicPartition, OffsetAndMetadata> groupOffsets() {
      Set<TopicPartition> all = new HashSet<>();
      for (String topic : projection.events().topics()) {
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          all.add(new TopicPartition(topic, info.partition()));
        }
      }
      Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(consumer.committed(all));
      committed.values().removeIf(Objects::isNull);
      return committed;
    }

    @Override
    public void rewind(Set<TopicPartition> partitions) {
      seekToStored(partitions);
    }

    @Override
    public void commitMarkers(Set<TopicPartition> partitions, RunnerState state, String error) {
      Map<TopicPartition, Long> offsets = new HashMap<>(stored);
      offsets.keySet().retainAll(partitions);
      commitQuietly(marked(offsets, state, error));
    }

    @Override
    public void onRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(stored::remove);
    }

    private void seekToStored(Collection<TopicPartition> partitions) {
      Map<TopicPartition, Long> offsets;
      try (Connection connection = dataSource.getConnection()) {
        offsets = JdbcOffsetTable.load(connection, projection.name());
      } catch (SQLException e) {
        throw new RetryableFailure("projection " + projection.name()
            + ": cannot read its offsets from the database: " + e, e);
      }
      Set<TopicPartition> fromStart = new HashSet<>();
      for (TopicPartition partition : partitions) {
        Long offset = offsets.get(partition);
        if (offset == null) {
          stored.remove(partition);
          fromStart.add(partition);
        } else {
          stored.put(partition, offset);
          consumer.seek(partition, offset);
        }
      }
      if (!fromStart.isEmpty()) {
        consumer.seekToBeginning(fromStart);
      }
    }

    private void inTransaction(JdbcWork work) throws SQLException {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          work.run(connection);
          connection.commit();
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(connection);
          throw e;
        }
      }
    }

    private void rollbackQuietly(Connection connection) {
      try {
        connection.rollback();
      } catch (SQLException e) {
        LOG.warn("projection {}: rollback failed", projection.name(), e);
      }
    }
  }

  /** Work inside a transaction. */
  @FunctionalInterface
  private interface JdbcWork {
    void run(Connection connection) throws SQLException;
  }

  /** Who reset the offsets, for the log line. */
  private static String describeReset(Map<TopicPartition, OffsetAndMetadata> committed) {
    for (OffsetAndMetadata offset : committed.values()) {
      if (CommitMetadata.decode(offset.metadata()) instanceof CommitMetadata.ByOther other) {
        return other.byEskafka()
            ? "by ProjectionAdmin, reset " + other.description()
            : "by another tool such as kafka-consumer-groups"
                + (other.description().isEmpty() ? "" : ", metadata '" + other.description() + "'");
      }
    }
    return "by another tool";
  }

  /**
   * For logs and assertion messages.
   *
   * @return group id and status
   */
  @Override
  public String toString() {
    return "ProjectionRunner[" + groupId + ", " + status + "]";
  }
}
