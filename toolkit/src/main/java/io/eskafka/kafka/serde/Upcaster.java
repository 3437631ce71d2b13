package io.eskafka.kafka.serde;

import java.util.List;
import org.apache.avro.generic.GenericRecord;

/**
 * Rewrites a stored event whose meaning changed in a way Avro schema resolution cannot express:
 * an event type renamed (a new record full name) or split into several events. Registered per
 * writer record full name in {@link Upcasters}; applied on read, wherever events are decoded, so
 * the log itself is never rewritten.
 *
 * <p>Implementations must be pure functions of their input (no I/O, no clock): the same stored
 * event is upcast again on every read, by every reader.
 */
@FunctionalInterface
public interface Upcaster {

  /**
   * Rewrites one event.
   *
   * @param event the event as written, decoded with its writer schema; never {@code null}. Do not
   *     modify it.
   * @return the events it stands for today, in order; empty to drop it. Each may be a record of a
   *     current type (a generated class exists; resolved into it with Avro schema resolution) or of
   *     another upcast type (its own upcaster then applies). Never {@code null}.
   */
  List<GenericRecord> upcast(GenericRecord event);
}
