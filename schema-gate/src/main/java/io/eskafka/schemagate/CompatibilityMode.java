package io.eskafka.schemagate;

import org.apache.avro.SchemaValidator;
import org.apache.avro.SchemaValidatorBuilder;

/**
 * How a new version of a schema must relate to the versions released before it. The names and
 * meanings are those of the Confluent Schema Registry, so a subject's mode here can be set as the
 * registry's compatibility level unchanged.
 *
 * <p>Stateless and immutable; safe to share between threads.
 */
public enum CompatibilityMode {

  /** The new version can read data written with the previous version. */
  BACKWARD(Direction.NEW_READS_OLD, false),
  /** The new version can read data written with every earlier version. */
  BACKWARD_TRANSITIVE(Direction.NEW_READS_OLD, true),
  /** The previous version can read data written with the new version. */
  FORWARD(Direction.OLD_READS_NEW, false),
  /** Every earlier version can read data written with the new version. */
  FORWARD_TRANSITIVE(Direction.OLD_READS_NEW, true),
  /** Backward and forward, against the previous version. */
  FULL(Direction.BOTH, false),
  /** Backward and forward, against every earlier version. */
  FULL_TRANSITIVE(Direction.BOTH, true);

  /** Which side has to read which; package-private because callers only need the mode. */
  enum Direction {
    NEW_READS_OLD,
    OLD_READS_NEW,
    BOTH;

    boolean newMustReadOld() {
      return this != OLD_READS_NEW;
    }

    boolean oldMustReadNew() {
      return this != NEW_READS_OLD;
    }
  }

  private final Direction direction;
  private final boolean transitive;

  CompatibilityMode(Direction direction, boolean transitive) {
    this.direction = direction;
    this.transitive = transitive;
  }

  /**
   * Whether a new version is checked against all earlier versions rather than only the latest.
   *
   * @return {@code true} for the {@code *_TRANSITIVE} modes
   */
  public boolean transitive() {
    return transitive;
  }

  Direction direction() {
    return direction;
  }

  /**
   * Builds Avro's validator for this mode. Avro's {@code validateLatest} checks only the
   * <em>first</em> schema of the iterable it is given, so callers pass earlier versions newest
   * first.
   *
   * @return a new validator, never {@code null}; Avro's validators are stateless
   */
  public SchemaValidator validator() {
    SchemaValidatorBuilder builder = new SchemaValidatorBuilder();
    switch (direction) {
      case NEW_READS_OLD -> builder.canReadStrategy();
      case OLD_READS_NEW -> builder.canBeReadStrategy();
      case BOTH -> builder.mutualReadStrategy();
      default -> throw new IllegalStateException("unknown direction " + direction);
    }
    return transitive ? builder.validateAll() : builder.validateLatest();
  }
}
