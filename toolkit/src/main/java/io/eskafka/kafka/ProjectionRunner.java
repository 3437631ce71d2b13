package io.eskafka.kafka;

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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
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
 *       then the batch's offsets are committed to Kafka. Events handled since the last commit are
 *       handled again after a crash or a rebalance.
 *   <li><b>JDBC, exactly-once effects</b> ({@link JdbcProjection}): one database transaction per
 *       poll batch holds the handler's changes and the projection's next offsets (table
 *       {@code eskafka_projection_offsets}); only after it commits are the same offsets committed to
 *       Kafka, for lag tools only. On assignment each partition is positioned where the database
 *       says (the beginning when it has no row), so neither a crash between the two commits nor a
 *       partition moving between instances applies an event twice or skips one.
 * </ul>
 *
 * <p><b>Failures park the projection</b>: an undecodable event, a key that is not an event key, a
 * handler or database that throws. The runner's thread stops, its consumer leaves the group,
 * {@link #status()} becomes {@link Status#PARKED} and {@link #failure()} says what and where. No
 * offset is moved past the event concerned (a JDBC batch is rolled back whole; an at-least-once
 * projection commits the events handled before it). Retrying with backoff is not done yet.
 *
 * <p>Thread safety: {@link #status()}, {@link #failure()}, {@link #assignedPartitions()} and
 * {@link #close()} may be called from any thread; handlers run only on the runner's thread.
 */
public final class ProjectionRunner implements AutoCloseable {

  /** Life cycle of a runner. */
  public enum Status {
    /** Polling and applying events. */
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
   * Starts a JDBC projection: creates the offsets table and runs the projection's schema
   * statements (both idempotent) on the calling thread, then starts consuming.
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
          // Batches are applied between polls, never inside one, so nothing is in flight here:
          // the last batch was committed (or rolled back) before this poll began.
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
          applier.onAssigned(partitions);
        }
      });
      while (!closing) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(options.pollTimeout());
        } catch (WakeupException e) {
          break;
        }
        if (!records.isEmpty()) {
          applier.apply(records);
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
        consumer.close(CloseOptions.timeout(options.closeTimeout()));
      } catch (RuntimeException e) {
        LOG.warn("projection {}: closing the consumer failed", projection.name(), e);
      }
    }
  }

  private void park(ProjectionParkedException e) {
    failure = e;
    status = Status.PARKED;
    // The message starts with "projection <name>: ": the log line reads "parked projection x: …".
    LOG.error("parked {}", e.getMessage(), e.getCause());
  }

  private void forget(Collection<TopicPartition> partitions) {
    Set<TopicPartition> now = new HashSet<>(assigned);
    now.removeAll(partitions);
    assigned = Set.copyOf(now);
    applier.onRevoked(partitions);
  }

  /**
   * Decodes a record into an envelope.
   *
   * @return the envelope, or {@code null} when the event is filtered out or the record is a
   *     tombstone (not an event)
   * @throws ProjectionParkedException when the key or the value cannot be decoded
   */
  private EventEnvelope envelope(ConsumerRecord<byte[], byte[]> record) {
    EventSelection selection = projection.events();
    String headerType = header(record, MessageHeaders.EVENT_TYPE);
    if (headerType != null && !selection.accepts(headerType)) {
      return null;
    }
    if (record.value() == null) {
      return null;
    }
    try {
      if (record.key() == null) {
        throw new IllegalArgumentException("event record without a key");
      }
      EventKey key = EventKey.parse(new String(record.key(), StandardCharsets.UTF_8));
      SpecificRecord event = serde.deserialize(record.topic(), record.value());
      String type = event.getSchema().getFullName();
      if (headerType == null && !selection.accepts(type)) {
        return null;
      }
      return new EventEnvelope(key.streamId(), key.version(), header(record, MessageHeaders.EVENT_ID),
          type, timestamp(record), record.topic(), record.partition(), record.offset(), event);
    } catch (RuntimeException e) {
      throw new ProjectionParkedException("projection " + projection.name()
          + ": undecodable event at " + position(record) + ": " + e.getMessage(), e);
    }
  }

  private static Instant timestamp(ConsumerRecord<byte[], byte[]> record) {
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
  }

  private static Map<TopicPartition, OffsetAndMetadata> asCommit(Map<TopicPartition, Long> next) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    next.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
    return offsets;
  }

  /** How a poll batch is applied and where partitions start: one per kind of projection. */
  private interface BatchApplier {

    void apply(ConsumerRecords<byte[], byte[]> records);

    void onAssigned(Collection<TopicPartition> partitions);

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
      for (ConsumerRecord<byte[], byte[]> record : records) {
        try {
          EventEnvelope envelope = envelope(record);
          if (envelope != null) {
            projection.handler().handle(envelope);
          }
        } catch (Exception e) {
          // Keep what was handled: the offsets stop right before the failing event.
          commitQuietly(done);
          throw e instanceof ProjectionParkedException parked
              ? parked
              : new ProjectionParkedException("projection " + projection.name()
                  + ": handler failed at " + position(record) + ": " + e, e);
        }
        done.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
      }
      try {
        commitToKafka(asCommit(done));
      } catch (KafkaException e) {
        // A rebalance took the partitions: their new owner handles these events again, which an
        // at-least-once handler tolerates.
        LOG.warn("projection {}: offset commit failed; events will be handled again: {}",
            projection.name(), e.toString());
      }
    }

    private void commitQuietly(Map<TopicPartition, Long> done) {
      try {
        commitToKafka(asCommit(done));
      } catch (RuntimeException e) {
        LOG.warn("projection {}: offset commit before parking failed", projection.name(), e);
      }
    }

    @Override
    public void onAssigned(Collection<TopicPartition> partitions) {
      // Kafka's committed offsets are the truth here (auto.offset.reset=earliest when none).
    }

    @Override
    public void onRevoked(Collection<TopicPartition> partitions) {
      // Every batch is committed before the next poll; nothing to flush.
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
      Map<TopicPartition, Long> next = new LinkedHashMap<>();
      boolean advanced;
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          for (ConsumerRecord<byte[], byte[]> record : records) {
            EventEnvelope envelope = envelope(record);
            if (envelope != null) {
              try {
                projection.handler().handle(envelope, connection);
              } catch (SQLException | RuntimeException e) {
                throw new ProjectionParkedException("projection " + projection.name()
                    + ": handler failed at " + position(record) + " (batch rolled back): " + e, e);
              }
            }
            next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
          }
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
        throw new ProjectionParkedException("projection " + projection.name()
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
      try {
        commitToKafka(asCommit(next));
      } catch (KafkaException e) {
        // Informational only (lag tools); the database holds the truth.
        LOG.debug("projection {}: informational offset commit failed: {}", projection.name(),
            e.toString());
      }
    }

    @Override
    public void onAssigned(Collection<TopicPartition> partitions) {
      seekToStored(partitions);
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
        throw new ProjectionParkedException("projection " + projection.name()
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

    private void rollbackQuietly(Connection connection) {
      try {
        connection.rollback();
      } catch (SQLException e) {
        LOG.warn("projection {}: rollback failed", projection.name(), e);
      }
    }
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
