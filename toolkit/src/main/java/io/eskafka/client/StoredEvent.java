package io.eskafka.client;

import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One event of a stream as stored, read back by a stream query. Immutable; the same record whether
 * the query was answered locally or by another instance.
 *
 * @param streamId the stream
 * @param version its version in the stream, 1 for the first
 * @param eventId its unique id (empty when the record carried none)
 * @param type Avro full name of the event
 * @param appendedAt when it was appended (the record timestamp)
 * @param event the decoded event, never {@code null}
 */
public record StoredEvent(String streamId, long version, String eventId, String type,
    Instant appendedAt, SpecificRecord event) {

  /** Requires every part. */
  public StoredEvent {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(appendedAt, "appendedAt");
    Objects.requireNonNull(event, "event");
  }
}
