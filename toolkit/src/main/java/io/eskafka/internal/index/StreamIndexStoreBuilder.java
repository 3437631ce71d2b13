package io.eskafka.internal.index;

import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.utils.Bytes;

/**
 * Builds a {@link StreamIndexStore}: RocksDB, no cache (reads must see the task's own writes at
 * once), and never a changelog of its own (the event topic is its changelog).
 */
public final class StreamIndexStoreBuilder implements StoreBuilder<KeyValueStore<Bytes, byte[]>> {

  private final String name;

  /**
   * @param name the store name
   */
  public StreamIndexStoreBuilder(String name) {
    this.name = name;
  }

  @Override
  public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingEnabled() {
    return this; // no cache: a stream read right after an append must see it
  }

  @Override
  public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingDisabled() {
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingEnabled(Map<String, String> config) {
    throw new UnsupportedOperationException("the stream index is restored from the event topic; "
        + "it never has a changelog topic of its own");
  }

  @Override
  public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingDisabled() {
    return this;
  }

  @Override
  public KeyValueStore<Bytes, byte[]> build() {
    return new StreamIndexStore(Stores.persistentKeyValueStore(name).get());
  }

  @Override
  public Map<String, String> logConfig() {
    return Map.of();
  }

  @Override
  public boolean loggingEnabled() {
    return false;
  }

  @Override
  public String name() {
    return name;
  }
}
