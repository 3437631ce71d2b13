package io.eskafka.internal.index;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A value of the per-stream index: what a stream read needs without going back to Kafka. Encoded
 * as {@code [type][event id][timestamp][payload]} (two modified-UTF-8 strings, a long, the rest
 * is the event record's value as on the topic, i.e. Confluent wire format). Local to RocksDB, never
 * written to Kafka, so a plain layout is enough.
 *
 * @param type Avro full name of the event (header {@code eskafka.event.type}), empty if absent
 * @param eventId the event id (header {@code eskafka.event.id}), empty if absent
 * @param timestamp the record timestamp: when the event was appended, epoch millis
 * @param payload the event as on the topic, never {@code null}
 */
public record IndexedEvent(String type, String eventId, long timestamp, byte[] payload) {

  /** Requires every part. */
  public IndexedEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * Encodes for the store.
   *
   * @return a new array
   */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + 96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(type);
      out.writeUTF(eventId);
      out.writeLong(timestamp);
      out.write(payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen in memory
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a value written by {@link #encode()}.
   *
   * @param value the store value, never {@code null}
   * @return the event
   * @throws IllegalArgumentException when the bytes are not an index value
   */
  public static IndexedEvent decode(byte[] value) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value))) {
      String type = in.readUTF();
      String eventId = in.readUTF();
      long timestamp = in.readLong();
      return new IndexedEvent(type, eventId, timestamp, in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt stream index value (" + value.length + " bytes)", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IndexedEvent that && timestamp == that.timestamp
        && type.equals(that.type) && eventId.equals(that.eventId)
        && Arrays.equals(payload, that.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, eventId, timestamp, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "IndexedEvent[" + type + ", " + eventId + ", " + timestamp + ", " + payload.length
        + " bytes]";
  }
}
