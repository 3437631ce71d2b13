package io.eskafka.internal.index;

import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an event-topic record into its index entry. One function for both ways the index is fed
 * (processing and restoration), so a restored index is byte-for-byte the one processing built.
 */
public final class EventIndexing {

  private static final Logger log = LoggerFactory.getLogger(EventIndexing.class);

  private EventIndexing() {}

  /**
   * The index entry of an event record.
   *
   * @param key the record key (an {@link EventKey} in UTF-8), may be {@code null}
   * @param value the record value, {@code null} for a tombstone
   * @param headers the record headers, may be {@code null}
   * @param timestamp the record timestamp
   * @return the entry (value {@code null}: delete the key), or {@code null} when the key is not an
   *     event key (logged and skipped: the index cannot place it, and it must not stop the task)
   */
  public static KeyValue<Bytes, byte[]> entry(byte[] key, byte[] value, Headers headers,
      long timestamp) {
    EventKey eventKey;
    try {
      if (key == null) {
        throw new IllegalArgumentException("null key");
      }
      eventKey = EventKey.parse(new String(key, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      log.warn("stream index skips a record of the event topic: {}", e.getMessage());
      return null;
    }
    Bytes indexKey = StreamIndexKey.of(eventKey.streamId(), eventKey.version());
    if (value == null) {
      return KeyValue.pair(indexKey, null);
    }
    return KeyValue.pair(indexKey, new IndexedEvent(header(headers, MessageHeaders.EVENT_TYPE),
        header(headers, MessageHeaders.EVENT_ID), timestamp, value).encode());
  }

  private static String header(Headers headers, String name) {
    Header header = headers == null ? null : headers.lastHeader(name);
    return header == null || header.value() == null
        ? ""
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}
