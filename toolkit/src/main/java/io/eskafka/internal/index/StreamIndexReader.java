package io.eskafka.internal.index;

import java.util.function.ObjLongConsumer;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads one stream out of the per-stream index: range scans between the stream's first and last
 * possible key ({@link StreamIndexKey}), so nothing of other streams is touched. Used by the
 * aggregate's task (rebuilds, deletion) and by interactive queries.
 */
public final class StreamIndexReader {

  /** Gets the events of a visit; may end it early. */
  @FunctionalInterface
  public interface Visitor {
    /**
     * @param event the indexed event
     * @param version its version
     * @return false to stop the visit here
     */
    boolean visit(IndexedEvent event, long version);
  }

  private StreamIndexReader() {}

  /**
   * The version of a stream's last indexed event.
   *
   * @param index the index store (or a read-only view of it)
   * @param streamId the stream
   * @return the version, 0 when the index has no event of the stream
   */
  public static long head(ReadOnlyKeyValueStore<Bytes, byte[]> index, String streamId) {
    try (KeyValueIterator<Bytes, byte[]> last = index.reverseRange(
        StreamIndexKey.of(streamId, 0L), StreamIndexKey.of(streamId, Long.MAX_VALUE))) {
      return last.hasNext() ? StreamIndexKey.version(last.next().key) : 0L;
    }
  }

  /**
   * Visits a stream's indexed events with versions in {@code [from, to]}, in version order.
   *
   * @param index the index store
   * @param streamId the stream
   * @param from first version, inclusive
   * @param to last version, inclusive
   * @param visitor gets each event and its version
   * @return how many events were visited
   */
  public static long forEach(ReadOnlyKeyValueStore<Bytes, byte[]> index, String streamId,
      long from, long to, ObjLongConsumer<IndexedEvent> visitor) {
    return visit(index, streamId, from, to, (event, version) -> {
      visitor.accept(event, version);
      return true;
    });
  }

  /**
   * Visits a stream's indexed events with versions in {@code [from, to]}, in version order, until
   * the visitor says stop.
   *
   * @param index the index store
   * @param streamId the stream
   * @param from first version, inclusive
   * @param to last version, inclusive
   * @param visitor gets each event and its version
   * @return how many events were visited
   */
  public static long visit(ReadOnlyKeyValueStore<Bytes, byte[]> index, String streamId,
      long from, long to, Visitor visitor) {
    if (from > to) {
      return 0L;
    }
    long count = 0L;
    try (KeyValueIterator<Bytes, byte[]> events = index.range(
        StreamIndexKey.of(streamId, Math.max(0L, from)), StreamIndexKey.of(streamId, to))) {
      while (events.hasNext()) {
        KeyValue<Bytes, byte[]> entry = events.next();
        count++;
        if (!visitor.visit(IndexedEvent.decode(entry.value), StreamIndexKey.version(entry.key))) {
          break;
        }
      }
    }
    return count;
  }
}
