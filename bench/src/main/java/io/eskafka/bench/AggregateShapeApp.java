package io.eskafka.bench;

import io.eskafka.kafka.AggregateTopology;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregate's Kafka work without the toolkit: a Kafka Streams application with the same
 * configuration that, per command record, does what the design requires of an exactly-once
 * aggregate on Kafka — and nothing else. It reads the command, gets and puts a "snapshot" (a
 * changelogged RocksDB store), writes one event (to a compacted event topic, partitioned like the
 * command) and one result, writes the event and the entry remembering its command id into a
 * RocksDB index store whose changelog is the event topic, and reads its event partition back (the
 * read-only store's source), doing nothing more with what it reads: the aggregate only indexes
 * read-back events while its index may lag after a restart, and here it never does (the event
 * topic starts empty). No Avro, no decider, no header parsing beyond the command id: values are
 * the command's bytes. Command ids are not looked up: the
 * aggregate answers a new command's lookup from an in-memory filter.
 *
 * <p>Its rate over the same backlog is the ceiling of the aggregate's design on this machine: the
 * aggregate's ratio to it is the toolkit's own cost, its ratio to the passthrough what the design's
 * Kafka work costs. The {@link Shape} variants add or leave out one part, to show what each costs.
 */
final class AggregateShapeApp {

  private static final String SNAPSHOTS = "shape-snapshots";
  private static final String INDEX = "shape-index";
  private static final byte[] TYPE = "io.eskafka.examples.bank.events.Deposited"
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] TIMESTAMP = "2026-11-26T12:00:00.000Z"
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT_ID = "00000000-0000-0000-0000-000000000000"
      .getBytes(StandardCharsets.UTF_8);

  /** Which parts of the aggregate's Kafka work to do, and how the index is kept. */
  enum Shape {
    /** What the aggregate does: the index's changelog is the event topic, read back. */
    FULL(Index.READ_BACK),
    /**
     * An alternative design: the index has a changelog topic of its own (a second copy of every
     * event in Kafka) and nothing is read back.
     */
    INDEX_CHANGELOG(Index.OWN_CHANGELOG),
    /** Without the index: no event read back, no index entries (nor command-id memory). */
    NO_INDEX(Index.NONE);

    final Index index;

    Shape(Index index) {
      this.index = index;
    }
  }

  /** How the index store is kept. */
  private enum Index { READ_BACK, OWN_CHANGELOG, NONE }

  private static final byte[] COMMAND_VALUE = new byte[Long.BYTES];

  private AggregateShapeApp() {}

  /** The index entry remembering a command id: stream id and command id, as the aggregate's. */
  private static Bytes commandEntry(byte[] stream, byte[] commandId) {
    return Bytes.wrap(ByteBuffer.allocate(4 + stream.length + commandId.length)
        .putInt(stream.length | 0x8000_0000).put(stream).put(commandId).array());
  }

  /**
   * The application.
   *
   * @param commands the command topic (the backlog)
   * @param events a compacted topic, as many partitions as {@code commands}
   * @param results the result topic
   */
  static KafkaStreams create(Shape shape, String commands, String events, String results,
      AppOptions options, Path stateDir) {
    Topology topology = new Topology();
    topology.addSource("commands", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        commands);
    topology.addProcessor("handler", () -> new Handler(shape), "commands");
    switch (shape.index) {
      case READ_BACK -> {
        topology.addReadOnlyStateStore(
            Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INDEX), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled(),
            "events", new ByteArrayDeserializer(), new ByteArrayDeserializer(), events,
            "indexer", ReadBack::new);
        topology.connectProcessorAndStateStores("handler", INDEX);
      }
      case OWN_CHANGELOG -> topology.addStateStore(Stores.keyValueStoreBuilder(
          Stores.persistentKeyValueStore(INDEX), Serdes.Bytes(), Serdes.ByteArray()), "handler");
      case NONE -> { }
    }
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SNAPSHOTS),
        Serdes.Bytes(), Serdes.ByteArray()), "handler");
    topology.addSink("events-out", events, new ByteArraySerializer(), new ByteArraySerializer(),
        new SamePartitionAsStream(), "handler");
    topology.addSink("results-out", results, new ByteArraySerializer(),
        new ByteArraySerializer(), "handler");
    return new KafkaStreams(topology, AggregateTopology.streamsConfig(options, stateDir.toString()));
  }

  private static final class Handler implements Processor<byte[], byte[], byte[], byte[]> {
    private final Shape shape;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> snapshots;
    private KeyValueStore<Bytes, byte[]> index;

    Handler(Shape shape) {
      this.shape = shape;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
      this.snapshots = context.getStateStore(SNAPSHOTS);
      this.index = shape.index == Index.NONE ? null : context.getStateStore(INDEX);
    }

    @Override
    public void process(Record<byte[], byte[]> command) {
      Header idHeader = command.headers().lastHeader(MessageHeaders.COMMAND_ID);
      Bytes stream = Bytes.wrap(command.key());
      byte[] snapshot = snapshots.get(stream);
      long version = snapshot == null ? 1 : ByteBuffer.wrap(snapshot).getLong() + 1;
      snapshots.put(stream, ByteBuffer.allocate(Long.BYTES + command.value().length)
          .putLong(version).put(command.value()).array());
      byte[] eventKey = new EventKey(new String(command.key(), StandardCharsets.UTF_8), version)
          .toBytes();
      Headers headers = new RecordHeaders();
      headers.add(MessageHeaders.COMMAND_ID, idHeader.value());
      headers.add(MessageHeaders.TIMESTAMP, TIMESTAMP);
      headers.add(MessageHeaders.EVENT_TYPE, TYPE);
      headers.add(MessageHeaders.EVENT_ID, EVENT_ID);
      long now = context.currentSystemTimeMs();
      context.forward(new Record<>(eventKey, command.value(), now, headers), "events-out");
      if (index != null) {
        index.put(Bytes.wrap(eventKey), command.value());
        index.put(commandEntry(command.key(), idHeader.value()), COMMAND_VALUE);
      }
      context.forward(new Record<>(idHeader.value(), command.value(), now), "results-out");
    }
  }

  /** The read-back: consumed, nothing written (everything read back was written through). */
  private static final class ReadBack implements Processor<byte[], byte[], Void, Void> {
    @Override
    public void process(Record<byte[], byte[]> event) {
      // As the aggregate once its index has caught up: the records are fetched and go through
      // the task, and that is the whole cost.
    }
  }

  /** Events go to their stream's partition, which is where its commands are read. */
  private static final class SamePartitionAsStream implements StreamPartitioner<byte[], byte[]> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value,
        int numPartitions) {
      String stream = EventKey.parse(new String(key, StandardCharsets.UTF_8)).streamId();
      return Optional.of(Set.of(EventKey.partitionOf(stream, numPartitions)));
    }
  }
}
