package io.eskafka.client;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One event a command appended.
 *
 * @param version its version in the stream
 * @param eventId its unique id
 * @param event the event, never {@code null}
 */
public record AppendedEvent(long version, String eventId, SpecificRecord event) {
  /** Requires the id and the event. */
  public AppendedEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(event, "event");
  }
}
