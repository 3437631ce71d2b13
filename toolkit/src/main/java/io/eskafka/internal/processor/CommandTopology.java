package io.eskafka.internal.processor;

import io.eskafka.internal.index.StreamIndexStoreBuilder;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.serde.AvroSerde;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;

/** Wires one aggregate's command handler, stores and sinks into a topology. */
public final class CommandTopology {

  private CommandTopology() {}

  /**
   * Adds the write side of {@code aggregate} to {@code topology}, with a fresh rebuild tracker.
   *
   * @param topology the topology to extend
   * @param aggregate the aggregate
   * @param serde encodes commands, events, states and results
   * @param dedupeWindow how long a command id is remembered
   * @param <S> state type
   */
  public static <S extends SpecificRecord> void addTo(Topology topology,
      AggregateDefinition<S> aggregate, AvroSerde serde, Duration dedupeWindow) {
    addTo(topology, aggregate, serde, dedupeWindow, new RebuildTracker());
  }

  /**
   * Adds the write side of {@code aggregate} to {@code topology}.
   *
   * <p>One sub-topology: the command handler and the per-stream indexer read command partition p
   * and event partition p in the same task, so the handler reads the index of its own streams.
   *
   * @param topology the topology to extend
   * @param aggregate the aggregate
   * @param serde encodes commands, events, states and results
   * @param dedupeWindow how long a command id is remembered
   * @param rebuilds where snapshot sweeps report progress
   * @param <S> state type
   */
  public static <S extends SpecificRecord> void addTo(Topology topology,
      AggregateDefinition<S> aggregate, AvroSerde serde, Duration dedupeWindow,
      RebuildTracker rebuilds) {
    AggregateNodes nodes = AggregateNodes.of(aggregate.name(), aggregate.topics());
    // Raw bytes in: decoding happens in the processor, where a bad record can be dead-lettered
    // instead of failing the stream thread in a deserializer.
    topology.addSource(nodes.source(), new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        nodes.topics().commands());
    // The event topic is the index's changelog (KIP-813): no second copy of the events in Kafka.
    // The store's own processor does nothing: the handler, which sees the events read back too,
    // indexes them only while its index may lag (it writes its own events through).
    topology.addReadOnlyStateStore(new StreamIndexStoreBuilder(nodes.indexStore()),
        nodes.eventsSource(), new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        nodes.topics().events(), nodes.indexer(), IndexedByTheHandler::new);
    // Events read back are also when commands parked for a lagging index can go on.
    topology.addProcessor(nodes.handler(),
        () -> new CommandProcessor<>(aggregate, serde, nodes, dedupeWindow, rebuilds),
        nodes.source(), nodes.eventsSource());
    topology.connectProcessorAndStateStores(nodes.handler(), nodes.indexStore());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(nodes.snapshotStore()),
            Serdes.String(), Serdes.ByteArray()),
        nodes.handler());
    topology.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(nodes.commandIdStore(), dedupeWindow, Duration.ofMillis(1),
                false),
            Serdes.String(), Serdes.ByteArray()),
        nodes.handler());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(nodes.parkedStore()),
            Serdes.String(), Serdes.ByteArray()),
        nodes.handler());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(nodes.erasedStore()),
            Serdes.String(), Serdes.Long()),
        nodes.handler());
    topology.addSink(nodes.eventsSink(), nodes.topics().events(), new ByteArraySerializer(),
        new ByteArraySerializer(), new StreamIdPartitioner(), nodes.handler());
    topology.addSink(nodes.resultsSink(), nodes.topics().commandResults(),
        new ByteArraySerializer(), new ByteArraySerializer(), nodes.handler());
    topology.addSink(nodes.dlqSink(), nodes.topics().dlq(), new ByteArraySerializer(),
        new ByteArraySerializer(), nodes.handler());
  }

  /**
   * Codec of an aggregate's snapshot store values, for interactive queries.
   *
   * @param applicationId the Kafka Streams application id
   * @param aggregateName the aggregate's name
   * @param serde the serde the application uses
   * @return the codec
   */
  public static SnapshotCodec snapshotCodec(String applicationId, String aggregateName,
      AvroSerde serde) {
    return new SnapshotCodec(serde, snapshotChangelogTopic(applicationId, aggregateName));
  }

  /**
   * The changelog topic of an aggregate's snapshot store: snapshots are encoded for it (registry
   * subjects {@code <this topic>-<record name>}).
   *
   * @param applicationId the Kafka Streams application id
   * @param aggregateName the aggregate's name
   * @return e.g. {@code bank-app-bank-account.snapshots-changelog}
   */
  public static String snapshotChangelogTopic(String applicationId, String aggregateName) {
    AggregateNodes nodes = AggregateNodes.of(aggregateName, AggregateTopics.of(aggregateName));
    return nodes.changelogTopic(applicationId, nodes.snapshotStore());
  }

  /**
   * Name of the snapshot store of an aggregate, for interactive queries.
   *
   * @param aggregateName the aggregate's name
   * @return the store name
   */
  public static String snapshotStore(String aggregateName) {
    return AggregateNodes.of(aggregateName, AggregateTopics.of(aggregateName)).snapshotStore();
  }

  /**
   * Name of the per-stream index store of an aggregate, for interactive queries.
   *
   * @param aggregateName the aggregate's name
   * @return the store name
   */
  public static String indexStore(String aggregateName) {
    return AggregateNodes.of(aggregateName, AggregateTopics.of(aggregateName)).indexStore();
  }

  /**
   * Name of the deleted-streams store of an aggregate, for interactive queries.
   *
   * @param aggregateName the aggregate's name
   * @return the store name
   */
  public static String erasedStore(String aggregateName) {
    return AggregateNodes.of(aggregateName, AggregateTopics.of(aggregateName)).erasedStore();
  }

  /**
   * The index store's own processor (Kafka Streams wants one per read-only store): it writes
   * nothing, because the command handler indexes what it reads back (see above).
   */
  private static final class IndexedByTheHandler implements Processor<byte[], byte[], Void, Void> {
    @Override
    public void process(Record<byte[], byte[]> record) {
      // The handler, the next node on the event source, does it.
    }
  }
}
