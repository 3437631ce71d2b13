package io.eskafka.kafka.serde;

import java.util.Optional;
import java.util.OptionalInt;

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
  // 0 when no HTTP answer is behind this failure (not reachable, in-memory registry, ...)
  private final int httpStatus;
  private final OptionalInt errorCode;
  private final String registryMessage;

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
    this(message, cause, notFound, 0, OptionalInt.empty(), null);
  }

  /**
   * Creates an exception for an error answer of the registry.
   *
   * @param message human-readable description, not null
   * @param cause the underlying failure, may be null
   * @param notFound true when the answer means that the requested schema, subject or version does
   *     not exist
   * @param httpStatus the HTTP status of the answer (e.g. 409), or 0 when there was none
   * @param errorCode the registry's {@code error_code} (e.g. 40401), empty when the body had none;
   *     not null
   * @param registryMessage the registry's {@code message}, may be null
   */
  public SchemaRegistryException(
      String message,
      Throwable cause,
      boolean notFound,
      int httpStatus,
      OptionalInt errorCode,
      String registryMessage) {
    super(message, cause);
    this.notFound = notFound;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode == null ? OptionalInt.empty() : errorCode;
    this.registryMessage = registryMessage;
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

  /**
   * Tells whether trying again later may succeed: the registry could not be reached, or answered
   * with a server error (5xx) or 429. A "not found", a refused schema (409) or any other 4xx is
   * final: the same request will get the same answer.
   *
   * @return true for transient failures
   */
  public boolean isRetriable() {
    if (notFound) {
      return false;
    }
    if (httpStatus != 0) {
      return httpStatus >= 500 || httpStatus == 429;
    }
    return getCause() instanceof java.io.IOException;
  }

  /**
   * Returns the HTTP status of the registry's answer, if this failure is one.
   *
   * @return e.g. 404, 409, 503; empty when no HTTP answer is behind the failure (the registry was
   *     not reachable, or the registry is not an HTTP one)
   */
  public OptionalInt httpStatus() {
    return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }

  /**
   * Returns the registry's own error code (the {@code error_code} of a Confluent REST error body),
   * e.g. 40401 (subject not found) or 409 (incompatible schema).
   *
   * @return the code, empty when there was no answer or it carried none; never null
   */
  public OptionalInt errorCode() {
    return errorCode;
  }

  /**
   * Returns the registry's own description of the error (the {@code message} of a Confluent REST
   * error body), e.g. Avro's reason why a schema is incompatible.
   *
   * @return the message, empty when there was no answer or it carried none; never null
   */
  public Optional<String> registryMessage() {
    return Optional.ofNullable(registryMessage);
  }
}
