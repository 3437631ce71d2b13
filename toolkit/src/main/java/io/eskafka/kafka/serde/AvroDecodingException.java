package io.eskafka.kafka.serde;

import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes could not be decoded by {@link AvroSerde}: empty or null payload, wrong magic byte, truncated
 * or corrupt payload, unknown schema id, no generated class for the writer's record name, or a writer
 * schema that cannot be resolved into the requested class. The message names the cause; the schema
 * id is attached when the bytes got far enough to carry one.
 *
 * <p>Extends Kafka's {@link SerializationException} so that Kafka Streams'
 * deserialization exception handlers treat it as a poison record.
 *
 * <p>Immutable and therefore thread-safe.
 */
public class AvroDecodingException extends SerializationException {

  private final int schemaId;
  private final boolean hasSchemaId;

  /**
   * Creates an exception for bytes whose schema id is unknown (not read yet).
   *
   * @param message what went wrong, not null
   */
  public AvroDecodingException(String message) {
    super(message);
    this.schemaId = 0;
    this.hasSchemaId = false;
  }

  /**
   * Creates an exception for bytes carrying a schema id.
   *
   * @param message what went wrong, not null
   * @param schemaId the schema id read from the payload
   * @param cause the underlying failure, may be null
   */
  public AvroDecodingException(String message, int schemaId, Throwable cause) {
    super(message, cause);
    this.schemaId = schemaId;
    this.hasSchemaId = true;
  }

  /**
   * Returns the schema id read from the payload, if decoding got that far.
   *
   * @return the schema id, or empty when the payload was too short or had the wrong magic byte
   */
  public OptionalInt schemaId() {
    return hasSchemaId ? OptionalInt.of(schemaId) : OptionalInt.empty();
  }
}
