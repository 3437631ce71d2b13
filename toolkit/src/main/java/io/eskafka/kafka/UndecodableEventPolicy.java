package io.eskafka.kafka;

/**
 * What a {@link ProjectionRunner} does with an event it cannot decode (a value that is not Avro
 * in the Confluent wire format, an unknown schema, a key that is not an event key). Decoding is
 * deterministic, so such an event is never retried.
 */
public enum UndecodableEventPolicy {
  /**
   * Park the projection at the event (the default): nothing after it is applied until someone
   * fixes the cause (a missing schema, a producer writing garbage) and restarts the projection.
   * Right for read models that must not silently miss an event.
   */
  PARK,
  /**
   * Skip the event: it is logged at WARN with its position and the error, counted in
   * {@link ProjectionProgress#skippedUndecodable()}, and its offset advances with its batch.
   * For read models where availability matters more than completeness.
   */
  SKIP
}
