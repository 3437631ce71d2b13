package io.eskafka.kafka.serde;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaValidationException;
import org.apache.avro.SchemaValidator;
import org.apache.avro.SchemaValidatorBuilder;

/**
 * A subject's compatibility rule, named as in the Confluent Schema Registry: which earlier versions
 * a new schema is checked against, and in which direction.
 *
 * <p>BACKWARD: consumers using the new schema can read data written with the old one (the rule
 * event sourcing needs: old events, new code). FORWARD: consumers using the old schema can read
 * data written with the new one. FULL: both. The {@code _TRANSITIVE} variants check every earlier
 * version, the others only the latest. NONE checks nothing.
 *
 * <p>Immutable and thread-safe.
 */
public enum CompatibilityMode {
  /** No check: every schema is accepted. */
  NONE,
  /** The new schema can read data written with the latest version. */
  BACKWARD,
  /** The new schema can read data written with every earlier version. */
  BACKWARD_TRANSITIVE,
  /** Data written with the new schema can be read with the latest version. */
  FORWARD,
  /** Data written with the new schema can be read with every earlier version. */
  FORWARD_TRANSITIVE,
  /** BACKWARD and FORWARD against the latest version. */
  FULL,
  /** BACKWARD and FORWARD against every earlier version. */
  FULL_TRANSITIVE;

  /**
   * Checks a candidate schema against the existing versions of a subject with Avro's
   * {@link SchemaValidatorBuilder}.
   *
   * @param candidate the schema to check, not null
   * @param existingOldestFirst the subject's schemas, oldest first (version 1 first); not null, may
   *     be empty (then every candidate passes)
   * @return empty when compatible, otherwise Avro's reason; never null
   */
  public Optional<String> check(Schema candidate, List<Schema> existingOldestFirst) {
    if (this == NONE || existingOldestFirst.isEmpty()) {
      return Optional.empty();
    }
    SchemaValidatorBuilder builder = new SchemaValidatorBuilder();
    builder = switch (this) {
      case BACKWARD, BACKWARD_TRANSITIVE -> builder.canReadStrategy();
      case FORWARD, FORWARD_TRANSITIVE -> builder.canBeReadStrategy();
      case FULL, FULL_TRANSITIVE -> builder.mutualReadStrategy();
      case NONE -> throw new IllegalStateException("unreachable");
    };
    boolean transitive = name().endsWith("_TRANSITIVE");
    SchemaValidator validator = transitive ? builder.validateAll() : builder.validateLatest();
    // Avro's validators take the existing schemas newest first ("latest" is the first one).
    List<Schema> newestFirst = new ArrayList<>(existingOldestFirst);
    Collections.reverse(newestFirst);
    try {
      validator.validate(candidate, newestFirst);
      return Optional.empty();
    } catch (SchemaValidationException e) {
      return Optional.of(e.getMessage());
    }
  }
}
