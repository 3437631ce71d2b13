package io.eskafka.internal.processor;

import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.serde.AvroSerde;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Wires one aggregate's command handler, stores and sinks into a topology. */
public final class CommandTopology {

  private CommandTopology() {}

  /**
   * Adds the write side of {@code aggregate} to {@code topology}.
   *
   * @param topology the topology to extend
   * @param aggregate the aggregate
   * @param serde encodes commands, events, states and results
   * @param dedupeWindow how long a command id is remembered
   * @param <S> state type
   */
  public static <S extends SpecificRecord> void addTo(Topology topology,
      AggregateDefinition<S> aggregate, AvroSerde serde, Duration dedupeWindow) {
    AggregateNodes nodes = AggregateNodes.of(aggregate.name(), aggregate.topics());
    // Raw bytes in: decoding happens in the processor, where a bad record can be dead-lettered
    // instead of failing the stream thread in a deserializer.
    topology.addSource(nodes.source(), new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        nodes.topics().commands());
    topology.addProcessor(nodes.handler(),
        () -> new CommandProcessor<>(aggregate, serde, nodes, dedupeWindow), nodes.source());
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
}
