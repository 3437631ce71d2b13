package io.eskafka.kafka.serde;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject in a {@link SchemaRegistry}.
 *
 * <p>Immutable and thread-safe, provided nobody mutates the {@link Schema} (Avro schemas accept
 * new properties after construction; registries and serdes never do that).
 *
 * @param subject the subject, e.g. {@code "bank-events-io.eskafka.examples.bank.events.MoneyDeposited"}; not null
 * @param version the version within the subject, starting at 1
 * @param id the registry-wide schema id written into the Confluent wire format
 * @param schema the schema, not null
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code subject} or {@code schema} is null
   * @throws IllegalArgumentException if {@code version} is below 1
   */
  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, was " + version);
    }
  }
}
