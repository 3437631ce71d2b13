package io.eskafka.kafka;

import io.eskafka.client.StreamState;
import io.eskafka.internal.DirectoryTree;
import io.eskafka.internal.processor.RebuildTracker;
import io.eskafka.kafka.serde.AvroSerde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One aggregate type running as a Kafka Streams application (exactly-once v2, RocksDB stores).
 * Start more instances with the same application id to share the partitions.
 *
 * <p>The aggregate's topics must exist ({@link TopicApplier}). Thread-safe; {@link #close()} is
 * idempotent.
 *
 * @param <S> state type
 */
public final class AggregateApp<S extends SpecificRecord> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AggregateApp.class);

  private final AggregateDefinition<S> aggregate;
  private final AppOptions options;
  private final KafkaStreams streams;
  private final RebuildTracker rebuilds = new RebuildTracker();
  private final StreamQueries<S> queries;
  private final Path stateDir;
  private final boolean ownsStateDir;
  private final CountDownLatch running = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile int commandPartitions;

  private AggregateApp(AggregateDefinition<S> aggregate, AvroSerde serde, AppOptions options) {
    this.aggregate = aggregate;
    this.options = options;
    try {
      this.ownsStateDir = options.stateDir() == null;
      this.stateDir = ownsStateDir
          ? Files.createTempDirectory("eskafka-" + options.applicationId() + "-")
          : Files.createDirectories(options.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state dir", e);
    }
    this.streams = new KafkaStreams(
        AggregateTopology.build(aggregate, serde, options.dedupeWindow(), rebuilds),
        AggregateTopology.streamsConfig(options, stateDir.toString()));
    this.queries = new StreamQueries<>(aggregate, streams, serde, options.applicationId(),
        () -> commandPartitions);
    streams.setStateListener((now, before) -> {
      log.debug("{}: {} -> {}", options.applicationId(), before, now);
      if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.ERROR
          || now == KafkaStreams.State.PENDING_ERROR) {
        running.countDown(); // wakes awaitRunning, which tells RUNNING from failure
      }
    });
    // Records never kill a thread (the processor dead-letters them); what remains is Kafka-level
    // trouble, which a fresh thread may survive.
    streams.setUncaughtExceptionHandler(error -> {
      log.error("{}: stream thread failed, replacing it", options.applicationId(), error);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  /**
   * Creates (does not start) an application for one aggregate.
   *
   * @param aggregate the aggregate
   * @param serde its serde; share one instance per schema registry
   * @param options application settings
   * @param <S> state type
   * @return the application
   */
  public static <S extends SpecificRecord> AggregateApp<S> create(AggregateDefinition<S> aggregate,
      AvroSerde serde, AppOptions options) {
    return new AggregateApp<>(Objects.requireNonNull(aggregate, "aggregate"),
        Objects.requireNonNull(serde, "serde"), Objects.requireNonNull(options, "options"));
  }

  /**
   * Checks the aggregate's topics and starts processing in the background.
   *
   * @throws IllegalStateException naming the topic when one is missing or the command and event
   *     topics differ in partition count, or when the cluster does not answer
   * @return this
   */
  public AggregateApp<S> start() {
    commandPartitions = checkTopics();
    streams.start();
    return this;
  }

  // Fails fast, naming the topic, instead of letting Kafka Streams stall on a missing source topic;
  // also learns the partition count that maps a stream id to its partition for queries.
  private int checkTopics() {
    Map<String, Object> config = new HashMap<>(options.kafkaOverrides());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    AggregateTopics topics = aggregate.topics();
    try (Admin admin = Admin.create(config)) {
      Map<String, TopicDescription> found = new HashMap<>();
      for (String topic : topics.names()) {
        try {
          found.put(topic, admin.describeTopics(List.of(topic)).allTopicNames()
              .get(30, TimeUnit.SECONDS).get(topic));
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            throw new IllegalStateException("topic " + topic + " does not exist; create the "
                + "aggregate's topics first (TopicApplier)");
          }
          throw new IllegalStateException("cannot describe topic " + topic + " at "
              + options.bootstrapServers() + ": " + e.getCause(), e.getCause());
        }
      }
      int partitions = found.get(topics.commands()).partitions().size();
      int events = found.get(topics.events()).partitions().size();
      if (events != partitions) {
        throw new IllegalStateException("topic " + topics.events() + " has " + events
            + " partitions but " + topics.commands() + " has " + partitions
            + "; they must be equal (a stream's commands and events share a partition)");
      }
      return partitions;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking topics", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka at " + options.bootstrapServers()
          + " did not answer within 30 s", e);
    }
  }

  /**
   * Blocks until the application is RUNNING (its stores restored, partitions assigned).
   *
   * @param timeout how long to wait
   * @return this
   * @throws TimeoutException when it is not running in time
   * @throws IllegalStateException when it failed instead
   * @throws InterruptedException when interrupted
   */
  public AggregateApp<S> awaitRunning(Duration timeout) throws TimeoutException,
      InterruptedException {
    if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException(options.applicationId() + " not RUNNING after " + timeout
          + " (state " + streams.state() + ")");
    }
    KafkaStreams.State now = streams.state();
    if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
      throw new IllegalStateException(options.applicationId() + " failed to start (state " + now
          + "); see the log for the cause");
    }
    return this;
  }

  /**
   * The Kafka Streams lifecycle state.
   *
   * @return never {@code null}
   */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * The current state of a stream, read from this instance's snapshot store (Kafka Streams
   * interactive query). Same as {@code queries().currentState(streamId)}.
   *
   * @param streamId the stream
   * @return its state, or empty when the stream has no events
   * @throws StreamNotLocalException (an {@link IllegalStateException}) when the stream's partition
   *     is not served by this instance (another instance owns it, or it is rebalancing or
   *     restoring)
   */
  public Optional<StreamState<S>> currentState(String streamId) {
    return queries.currentState(streamId);
  }

  /**
   * Stream queries answered by this instance: events of a stream, current state, state at a past
   * version or time, traces, read-your-writes waits, and which instance owns a stream.
   *
   * @return the queries of this application (one instance, thread-safe)
   */
  public StreamQueries<S> queries() {
    return queries;
  }

  /**
   * Progress of rebuilding snapshots written by another logic version, on this instance (see
   * {@link SnapshotRebuildStatus}).
   *
   * @return the current progress
   */
  public SnapshotRebuildStatus snapshotRebuildStatus() {
    Map<String, RebuildTracker.TaskProgress> tasks = rebuilds.snapshot();
    // Tasks that run here but have not swept yet count as not complete.
    int active = 0;
    for (org.apache.kafka.streams.ThreadMetadata thread : streams.metadataForLocalThreads()) {
      active += thread.activeTasks().size();
    }
    long checked = 0;
    long rebuilt = 0;
    long waiting = 0;
    long total = 0;
    int complete = 0;
    for (RebuildTracker.TaskProgress task : tasks.values()) {
      checked += task.checked();
      rebuilt += task.rebuilt();
      waiting += task.waiting();
      total += task.approximateTotal();
      complete += task.complete() ? 1 : 0;
    }
    return new SnapshotRebuildStatus(aggregate.logicVersion(), Math.max(active, tasks.size()),
        complete, checked,
        rebuilt, waiting, total);
  }

  /**
   * The underlying Kafka Streams instance (metrics, metadata). Do not close it directly.
   *
   * @return the instance
   */
  public KafkaStreams kafkaStreams() {
    return streams;
  }

  /**
   * Stops processing: the open transaction is committed or aborted, never half-applied. Deletes the
   * state dir if it was temporary. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Leaving the group hands this instance's partitions to the others at once, instead of after
    // the session timeout: a stopped instance is gone, not about to bounce.
    streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    if (ownsStateDir) {
      DirectoryTree.deleteQuietly(stateDir);
    }
  }
}
