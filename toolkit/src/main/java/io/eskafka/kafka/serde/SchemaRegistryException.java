package io.eskafka.kafka.serde;

/**
 * Failure of a {@link SchemaRegistry} call: the requested schema, subject or version does not exist,
 * the registry rejected a schema, or the registry could not be reached.
 *
 * <p>Unchecked on purpose: registry calls happen inside Kafka serializers, which cannot declare
 * checked exceptions. {@link #isNotFound()} separates "the registry answered: no such thing" (a
 * permanent condition for that input) from every other failure (possibly transient, worth a retry).
 *
 * <p>Immutable and therefore thread-safe.
 */
public class SchemaRegistryException extends RuntimeException {

  private final boolean notFound;

  /**
   * Creates an exception for a failure other than "not found".
   *
   * @param message human-readable description, not null
   */
  public SchemaRegistryException(String message) {
    this(message, null, false);
  }

  /**
   * Creates an exception for a failure other than "not found", with its cause.
   *
   * @param message human-readable description, not null
   * @param cause the underlying failure, may be null
   */
  public SchemaRegistryException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * Creates an exception.
   *
   * @param message human-readable description, not null
   * @param cause the underlying failure, may be null
   * @param notFound true when the registry answered that the requested schema, subject or
   *     version does not exist (Confluent REST: HTTP 404)
   */
  public SchemaRegistryException(String message, Throwable cause, boolean notFound) {
    super(message, cause);
    this.notFound = notFound;
  }

  /**
   * Creates a "not found" exception.
   *
   * @param message human-readable description, e.g. {@code "unknown schema id 7"}; not null
   * @return the exception, never null
   */
  public static SchemaRegistryException notFound(String message) {
    return new SchemaRegistryException(message, null, true);
  }

  /**
   * Tells whether the registry answered that the requested item does not exist.
   *
   * @return true for "not found", false for every other failure
   */
  public boolean isNotFound() {
    return notFound;
  }
}
