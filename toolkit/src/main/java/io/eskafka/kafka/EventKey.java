package io.eskafka.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;

/**
 * The key of an event record: stream id and version, rendered as {@code <streamId>@<version>}
 * with the version zero-padded to 19 digits, e.g. {@code acc-1@0000000000000000003}.
 *
 * <p>Why this shape: the key is unique per event, so compaction of the event topic never drops an
 * event (only a tombstone or a duplicate write of the same version replaces one); it is readable in
 * {@code kafka-console-consumer}; and keys of one stream sort by version as plain strings, which a
 * per-stream index can scan by prefix. Stream ids may contain {@code @}: parsing splits at the last
 * one.
 *
 * <p>Events are partitioned by the stream id alone ({@link #partitionOf}), with the same hash
 * Kafka's default partitioner applies to a command keyed by the stream id, so command partition p
 * and event partition p meet in the same task.
 *
 * @param streamId the stream (aggregate instance) id, never {@code null} or empty
 * @param version the event's version in its stream, 1 for the first event
 */
public record EventKey(String streamId, long version) {

  private static final char SEPARATOR = '@';
  private static final int VERSION_DIGITS = 19;

  /** Validates the parts. */
  public EventKey {
    Objects.requireNonNull(streamId, "streamId");
    if (streamId.isEmpty()) {
      throw new IllegalArgumentException("stream id must not be empty");
    }
    if (version < 1) {
      throw new IllegalArgumentException("event versions start at 1, got " + version);
    }
  }

  /**
   * Renders the key as stored in Kafka.
   *
   * @return e.g. {@code acc-1@0000000000000000003}
   */
  public String format() {
    String digits = Long.toString(version);
    StringBuilder out = new StringBuilder(streamId.length() + 1 + VERSION_DIGITS);
    out.append(streamId).append(SEPARATOR);
    for (int i = digits.length(); i < VERSION_DIGITS; i++) {
      out.append('0');
    }
    return out.append(digits).toString();
  }

  /**
   * The key as UTF-8 bytes, as written to the event topic.
   *
   * @return a new array
   */
  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a key written by {@link #format()}.
   *
   * @param key the key, never {@code null}
   * @return the parsed key
   * @throws IllegalArgumentException naming the key when it is not an event key
   */
  public static EventKey parse(String key) {
    int at = key.lastIndexOf(SEPARATOR);
    if (at <= 0 || key.length() - at - 1 != VERSION_DIGITS) {
      throw new IllegalArgumentException(
          "not an event key (expected <streamId>@<19-digit version>): '" + key + "'");
    }
    try {
      return new EventKey(key.substring(0, at), Long.parseLong(key.substring(at + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an event key (version is not a number): '" + key + "'");
    }
  }

  /**
   * The partition a stream's commands and events live on.
   *
   * @param streamId the stream id, never {@code null}
   * @param numPartitions partition count of the command and event topics (they are equal)
   * @return the partition, in {@code [0, numPartitions)}
   */
  public static int partitionOf(String streamId, int numPartitions) {
    // Same as Kafka's default partitioner for a keyed record whose key serializes to the UTF-8 bytes
    // of the stream id (StringSerializer): murmur2, made positive, modulo the partition count.
    return Utils.toPositive(Utils.murmur2(streamId.getBytes(StandardCharsets.UTF_8))) % numPartitions;
  }
}
