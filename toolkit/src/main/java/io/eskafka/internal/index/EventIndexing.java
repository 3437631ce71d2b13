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
 * Turns an event-topic record into its index entries: the event's own, and the entry remembering
 * that its command appended to the stream. One function for both ways the index is fed
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

  /**
   * The entry remembering that the command which appended an event record did append to its
   * stream: {@link StreamIndexKey#command} → the event's version. A command's events come in
   * version order, so the last one written is its last version. This is the aggregate's memory of
   * the command ids that appended events; it is restored from the event topic with the events.
   *
   * @param key the record key (an {@link EventKey} in UTF-8), may be {@code null}
   * @param value the record value, {@code null} for a tombstone
   * @param headers the record headers, may be {@code null}
   * @return the entry, or {@code null} for a tombstone, a record without a command id or a key
   *     that is not an event key
   */
  public static KeyValue<Bytes, byte[]> commandEntry(byte[] key, byte[] value, Headers headers) {
    Header commandId = headers == null ? null : headers.lastHeader(MessageHeaders.COMMAND_ID);
    if (value == null || key == null || commandId == null || commandId.value() == null) {
      return null;
    }
    EventKey eventKey;
    try {
      eventKey = EventKey.parse(new String(key, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return null; // entry() logs it
    }
    return KeyValue.pair(StreamIndexKey.command(eventKey.streamId(),
        new String(commandId.value(), StandardCharsets.UTF_8)),
        StreamIndexKey.commandValue(eventKey.version()));
  }

  private static String header(Headers headers, String name) {
    Header header = headers == null ? null : headers.lastHeader(name);
    return header == null || header.value() == null
        ? ""
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}
