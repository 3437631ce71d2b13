package io.eskafka.schemagate;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of one subject: a released version from the history ({@code v1}, {@code v2}, ...)
 * or the current, possibly unreleased, schema that code is generated from.
 *
 * <p>Immutable (Avro schemas are not modified after parsing); safe to share between threads.
 *
 * @param subject the record full name, never {@code null}
 * @param label {@code v<N>} for a released version, {@link #CURRENT} for the current schema;
 *     never {@code null}
 * @param schema the parsed schema, never {@code null}
 * @param source the file it was read from, never {@code null}
 */
public record SchemaVersion(String subject, String label, Schema schema, Path source) {

  /** The label of the current schema (the one under {@code src/main/avro}). */
  public static final String CURRENT = "current";

  /** Validates the parts. */
  public SchemaVersion {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(source, "source");
  }

  /**
   * Whether two versions have the same schema text, docs and aliases included. Those count: a
   * registry registers a new version for them too, so such a change is one to release.
   *
   * @param other the other version, never {@code null}
   * @return {@code true} when the schemas' JSON forms are equal
   */
  public boolean sameSchemaAs(SchemaVersion other) {
    return schema.toString().equals(other.schema.toString());
  }
}
