package io.eskafka.internal.index;

import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-stream index: a RocksDB store whose "changelog" is the event topic itself (registered
 * with {@code Topology.addReadOnlyStateStore}, KIP-813), so events are stored once in Kafka.
 *
 * <p>Kafka Streams restores a store by writing the changelog's keys and values into it verbatim;
 * this store's keys are not the topic's ({@link StreamIndexKey} makes stream reads exact), so it
 * intercepts the restore callback RocksDB registers and rewrites each restored record with {@link
 * EventIndexing#entries}, the function processing uses.
 * Everything else is RocksDB's.
 *
 * <p>Uses one Kafka Streams internal interface ({@code RecordBatchingStateRestoreCallback}), to get
 * the restored records' headers (event type and id); the public batching callback passes only key
 * and value.
 */
public final class StreamIndexStore implements KeyValueStore<Bytes, byte[]> {

  private final KeyValueStore<Bytes, byte[]> rocks;

  StreamIndexStore(KeyValueStore<Bytes, byte[]> rocks) {
    this.rocks = rocks;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    rocks.init(new RewritingContext(context), root);
  }

  private void restore(Collection<ConsumerRecord<byte[], byte[]>> records) {
    List<KeyValue<Bytes, byte[]>> entries = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      EventIndexing.entries(record.key(), record.value(), record.headers(), record.timestamp(),
          (key, value) -> entries.add(KeyValue.pair(key, value)));
    }
    rocks.putAll(entries); // a null value deletes, as a tombstone must
  }

  /** The store context, except that restore callbacks registered through it rewrite records. */
  private final class RewritingContext implements StateStoreContext {
    private final StateStoreContext delegate;

    RewritingContext(StateStoreContext delegate) {
      this.delegate = delegate;
    }

    @Override
    public void register(StateStore store, StateRestoreCallback callback) {
      delegate.register(store, (RecordBatchingStateRestoreCallback) StreamIndexStore.this::restore);
    }

    @Override
    public void register(StateStore store, StateRestoreCallback callback,
        CommitCallback checkpoint) {
      delegate.register(store, (RecordBatchingStateRestoreCallback) StreamIndexStore.this::restore,
          checkpoint);
    }

    @Override
    public String applicationId() {
      return delegate.applicationId();
    }

    @Override
    public TaskId taskId() {
      return delegate.taskId();
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
      return delegate.recordMetadata();
    }

    @Override
    public Serde<?> keySerde() {
      return delegate.keySerde();
    }

    @Override
    public Serde<?> valueSerde() {
      return delegate.valueSerde();
    }

    @Override
    public File stateDir() {
      return delegate.stateDir();
    }

    @Override
    public StreamsMetrics metrics() {
      return delegate.metrics();
    }

    @Override
    public Map<String, Object> appConfigs() {
      return delegate.appConfigs();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
      return delegate.appConfigsWithPrefix(prefix);
    }
  }

  // Plain delegation below.

  @Override
  public void put(Bytes key, byte[] value) {
    rocks.put(key, value);
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    return rocks.putIfAbsent(key, value);
  }

  @Override
  public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    rocks.putAll(entries);
  }

  @Override
  public byte[] delete(Bytes key) {
    return rocks.delete(key);
  }

  @Override
  public byte[] get(Bytes key) {
    return rocks.get(key);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return rocks.range(from, to);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return rocks.reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return rocks.all();
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return rocks.reverseAll();
  }

  @Override
  public long approximateNumEntries() {
    return rocks.approximateNumEntries();
  }

  @Override
  public String name() {
    return rocks.name();
  }

  @Override
  public void flush() {
    rocks.flush();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    rocks.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return rocks.committedOffset(partition);
  }

  @Override
  public boolean managesOffsets() {
    return rocks.managesOffsets();
  }

  @Override
  public void close() {
    rocks.close();
  }

  @Override
  public boolean persistent() {
    return rocks.persistent();
  }

  @Override
  public boolean isOpen() {
    return rocks.isOpen();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
    return rocks.query(query, bound, config);
  }

  @Override
  public long approximateNumUncommittedBytes() {
    return rocks.approximateNumUncommittedBytes();
  }

  @Override
  public Position getPosition() {
    return rocks.getPosition();
  }
}
