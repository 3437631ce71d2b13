package io.eskafka.internal.index;

import java.util.function.BiConsumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Feeds the per-stream index from the event topic during processing (restoration goes through
 * {@link StreamIndexStore} with the same {@link EventIndexing} functions): each event's entry and
 * its command's. Tombstones delete the event's entry.
 */
public final class StreamIndexer implements Processor<byte[], byte[], Void, Void> {

  private final String storeName;
  private KeyValueStore<Bytes, byte[]> index;
  /** One instance for every record (a method reference made per record would allocate). */
  private final BiConsumer<Bytes, byte[]> write = this::write;

  /**
   * @param storeName the index store
   */
  public StreamIndexer(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    index = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    EventIndexing.entries(record.key(), record.value(), record.headers(), record.timestamp(),
        write);
  }

  private void write(Bytes key, byte[] value) {
    if (value == null) {
      index.delete(key);
    } else {
      index.put(key, value);
    }
  }
}
