package io.eskafka.internal.index;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    byte[] typeBytes = modifiedUtf8(type);
    byte[] idBytes = modifiedUtf8(eventId);
    ByteBuffer out = ByteBuffer.allocate(typeBytes.length + idBytes.length + Long.BYTES
        + payload.length);
    out.put(typeBytes).put(idBytes).putLong(timestamp).put(payload);
    return out.array();
  }

  /**
   * Decodes a value written by {@link #encode()}.
   *
   * @param value the store value, never {@code null}
   * @return the event
   * @throws IllegalArgumentException when the bytes are not an index value
   */
  public static IndexedEvent decode(byte[] value) {
    // Every stream read decodes each of its events: done on the array directly (a stream per
    // value, and readAllBytes' 8 KiB buffers, were two thirds of a 1,000-event read).
    try {
      ByteBuffer in = ByteBuffer.wrap(value);
      String type = readModifiedUtf8(in);
      String eventId = readModifiedUtf8(in);
      long timestamp = in.getLong();
      return new IndexedEvent(type, eventId, timestamp,
          Arrays.copyOfRange(value, in.position(), value.length));
    } catch (BufferUnderflowException | IllegalArgumentException | IOException e) {
      throw new IllegalArgumentException("corrupt stream index value (" + value.length + " bytes)",
          e);
    }
  }

  /**
   * {@link DataOutputStream#writeUTF}'s layout (two length bytes, modified UTF-8), which stored
   * values already have; ASCII without NUL, which types and ids are, is copied as is.
   */
  private static byte[] modifiedUtf8(String text) {
    int length = text.length();
    if (length <= 0xFFFF && isPlainAscii(text)) {
      byte[] bytes = new byte[2 + length];
      bytes[0] = (byte) (length >>> 8);
      bytes[1] = (byte) length;
      System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, bytes, 2, length);
      return bytes;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + 3 * length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: only a string too long to encode
    }
    return bytes.toByteArray();
  }

  private static String readModifiedUtf8(ByteBuffer in) throws IOException {
    int start = in.position();
    int length = Short.toUnsignedInt(in.getShort());
    if (length > in.remaining()) {
      throw new IllegalArgumentException("string of " + length + " bytes past the end");
    }
    byte[] array = in.array();
    int from = in.position();
    boolean ascii = true;
    for (int i = from; i < from + length; i++) {
      if (array[i] <= 0) { // NUL is never written as a single byte; negative: multi-byte
        ascii = false;
        break;
      }
    }
    in.position(from + length);
    if (ascii) {
      return new String(array, from, length, StandardCharsets.US_ASCII);
    }
    return new DataInputStream(new ByteArrayInputStream(array, start, 2 + length)).readUTF();
  }

  private static boolean isPlainAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0 || c >= 0x80) {
        return false;
      }
    }
    return true;
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
