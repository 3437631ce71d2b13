package io.eskafka.internal.index;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
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
    KeyValue<Bytes, byte[]> entry =
        EventIndexing.entry(record.key(), record.value(), record.headers(), record.timestamp());
    if (entry == null) {
      return;
    }
    if (entry.value == null) {
      index.delete(entry.key);
      return;
    }
    index.put(entry.key, entry.value);
    KeyValue<Bytes, byte[]> command =
        EventIndexing.commandEntry(record.key(), record.value(), record.headers());
    if (command != null) {
      index.put(command.key, command.value);
    }
  }
}
