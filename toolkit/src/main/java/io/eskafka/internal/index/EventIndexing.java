package io.eskafka.internal.index;

import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
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
   * Every index entry of an event record, in the order they must be written: the event's own (value
   * {@code null}: delete the key, for a tombstone), then the entry remembering its command (see
   * {@link #commandEntry}), if it has one. The key is parsed once: this runs for every event read
   * back or restored.
   *
   * @param key the record key (an {@link EventKey} in UTF-8), may be {@code null}
   * @param value the record value, {@code null} for a tombstone
   * @param headers the record headers, may be {@code null}
   * @param timestamp the record timestamp
   * @param sink gets each entry; nothing when the key is not an event key (logged and skipped:
   *     the index cannot place it, and it must not stop the task)
   */
  public static void entries(byte[] key, byte[] value, Headers headers, long timestamp,
      BiConsumer<Bytes, byte[]> sink) {
    EventKey eventKey = parse(key);
    if (eventKey == null) {
      return;
    }
    KeyValue<Bytes, byte[]> event = entry(eventKey, value, headers, timestamp);
    sink.accept(event.key, event.value);
    KeyValue<Bytes, byte[]> command = commandEntry(eventKey, value, headers);
    if (command != null) {
      sink.accept(command.key, command.value);
    }
  }

  /**
   * The index entry of an event record.
   *
   * @param key the record key (an {@link EventKey} in UTF-8), may be {@code null}
   * @param value the record value, {@code null} for a tombstone
   * @param headers the record headers, may be {@code null}
   * @param timestamp the record timestamp
   * @return the entry (value {@code null}: delete the key), or {@code null} when the key is not an
   *     event key (logged and skipped)
   */
  public static KeyValue<Bytes, byte[]> entry(byte[] key, byte[] value, Headers headers,
      long timestamp) {
    EventKey eventKey = parse(key);
    return eventKey == null ? null : entry(eventKey, value, headers, timestamp);
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
    EventKey eventKey = parse(key);
    return eventKey == null ? null : commandEntry(eventKey, value, headers);
  }

  private static EventKey parse(byte[] key) {
    try {
      if (key == null) {
        throw new IllegalArgumentException("null key");
      }
      return EventKey.parse(new String(key, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      log.warn("stream index skips a record of the event topic: {}", e.getMessage());
      return null;
    }
  }

  private static KeyValue<Bytes, byte[]> entry(EventKey eventKey, byte[] value, Headers headers,
      long timestamp) {
    Bytes indexKey = StreamIndexKey.of(eventKey.streamId(), eventKey.version());
    if (value == null) {
      return KeyValue.pair(indexKey, null);
    }
    return KeyValue.pair(indexKey, new IndexedEvent(header(headers, MessageHeaders.EVENT_TYPE),
        header(headers, MessageHeaders.EVENT_ID), timestamp, value).encode());
  }

  private static KeyValue<Bytes, byte[]> commandEntry(EventKey eventKey, byte[] value,
      Headers headers) {
    Header commandId = headers == null ? null : headers.lastHeader(MessageHeaders.COMMAND_ID);
    if (value == null || commandId == null || commandId.value() == null) {
      return null;
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
