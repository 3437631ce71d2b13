package io.eskafka.kafka;

import io.eskafka.internal.processor.CommandTopology;
import io.eskafka.internal.processor.RebuildTracker;
import io.eskafka.kafka.serde.AvroSerde;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * Builds the Kafka Streams topology of an aggregate's write side, for {@link AggregateApp} and for
 * tests with Kafka's {@code TopologyTestDriver}.
 *
 * <p>Topics read and written: {@code <aggregate>.commands} → {@code <aggregate>.events},
 * {@code <aggregate>.command-results}, {@code <aggregate>.dlq}. Stores: {@code
 * <aggregate>.snapshots} (stream id → latest state; its changelog is the snapshot log), {@code
 * <aggregate>.command-ids} (command id → result of a command that appended nothing, for the dedupe
 * window), {@code <aggregate>.stream-index} (per-stream index of the events, and of the ids of the
 * commands that appended them; the event topic, read back, is its changelog), {@code <aggregate>.parked-commands} (commands waiting for a snapshot rebuild) and
 * {@code <aggregate>.erased-streams} (deleted stream ids).
 */
public final class AggregateTopology {

  private AggregateTopology() {}

  /**
   * Builds a topology with one aggregate.
   *
   * @param aggregate the aggregate
   * @param serde the serde (and through it, the schema registry) of commands, events, state and
   *     results
   * @param dedupeWindow how long command ids are remembered
   * @param <S> state type
   * @return a new topology
   */
  public static <S extends SpecificRecord> Topology build(AggregateDefinition<S> aggregate,
      AvroSerde serde, Duration dedupeWindow) {
    Topology topology = new Topology();
    CommandTopology.addTo(topology, aggregate, serde, dedupeWindow);
    return topology;
  }

  static <S extends SpecificRecord> Topology build(AggregateDefinition<S> aggregate,
      AvroSerde serde, Duration dedupeWindow, RebuildTracker rebuilds) {
    Topology topology = new Topology();
    CommandTopology.addTo(topology, aggregate, serde, dedupeWindow, rebuilds);
    return topology;
  }

  /**
   * The Kafka Streams configuration the toolkit runs an aggregate with: exactly-once v2, and what
   * {@code options} sets. Useful for {@code TopologyTestDriver} too.
   *
   * @param options the application options
   * @param stateDir the state directory to use
   * @return new properties
   */
  public static Properties streamsConfig(AppOptions options, String stateDir) {
    Properties config = new Properties();
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, options.applicationId());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.streamThreads());
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitInterval().toMillis());
    if (options.applicationServer() != null) {
      config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, options.applicationServer());
    }
    // A task reads its command partition and, for the per-stream index, its own event partition.
    // By default Kafka Streams holds a task back while one of its partitions has fetched-but-not-
    // buffered data, to interleave them by timestamp, and formats a diagnostic string each time it
    // checks (4 % of a stream thread under load). Nothing here depends on that order: a command
    // never waits for the read-back (the index is written through; a rebuild that needs the
    // read-back parks the stream's commands explicitly). So process whatever is buffered.
    config.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    // No global stores here; enabling the handler for the (absent) global thread only silences
    // Kafka Streams' start-up warning about it.
    config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    config.putAll(options.kafkaOverrides());
    return config;
  }
}
