package io.eskafka.bench;

import io.eskafka.kafka.AggregateTopology;
import io.eskafka.kafka.AppOptions;
import java.nio.file.Path;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The baseline: Kafka Streams with exactly-once v2 reading the same command records, writing each
 * to a RocksDB store (with its changelog) and forwarding it unchanged. What any stateful Kafka
 * Streams application costs on this machine; the aggregate is measured against it.
 */
final class PassthroughApp {

  static final String STORE = "passthrough-store";

  private PassthroughApp() {}

  static KafkaStreams create(String input, String output, AppOptions options, Path stateDir) {
    Topology topology = new Topology();
    topology.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), input);
    topology.addProcessor("store-and-forward", StoreAndForward::new, "in");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
        Serdes.Bytes(), Serdes.ByteArray()), "store-and-forward");
    topology.addSink("out", output, new ByteArraySerializer(), new ByteArraySerializer(),
        "store-and-forward");
    // Same Kafka Streams configuration as the aggregate (exactly-once v2, commit interval, threads).
    return new KafkaStreams(topology, AggregateTopology.streamsConfig(options, stateDir.toString()));
  }

  private static final class StoreAndForward implements Processor<byte[], byte[], byte[], byte[]> {
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      store.put(Bytes.wrap(record.key()), record.value());
      context.forward(record);
    }
  }
}
