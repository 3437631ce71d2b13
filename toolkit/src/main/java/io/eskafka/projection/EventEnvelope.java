package io.eskafka.projection;

import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One event as a projection sees it: the decoded event and where it came from. Immutable.
 *
 * @param streamId the stream (aggregate instance) the event belongs to, never {@code null}
 * @param version the event's version in its stream, ≥ 1
 * @param eventId the event's unique id (the {@code eskafka.event.id} header), or {@code null} for
 *     an event written without one (not by the toolkit)
 * @param eventType Avro full name of the event, never {@code null}
 * @param timestamp when the event was appended (the {@code eskafka.timestamp} header, else the
 *     record's timestamp), never {@code null}
 * @param topic the event topic it was read from, never {@code null}
 * @param partition its partition
 * @param offset its offset in the partition
 * @param event the decoded event, never {@code null}
 */
public record EventEnvelope(
    String streamId,
    long version,
    String eventId,
    String eventType,
    Instant timestamp,
    String topic,
    int partition,
    long offset,
    SpecificRecord event) {

  /** Validates the non-null parts. */
  public EventEnvelope {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(event, "event");
  }

  /**
   * Where the event sits, for messages: {@code topic-partition@offset}.
   *
   * @return e.g. {@code bank-account.events-2@17}
   */
  public String position() {
    return topic + "-" + partition + "@" + offset;
  }
}
