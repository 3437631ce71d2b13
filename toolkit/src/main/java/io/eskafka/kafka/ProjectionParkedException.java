package io.eskafka.kafka;

/**
 * Why a {@link ProjectionRunner} stopped on its own ("parked"): an event it could not decode, a
 * handler that threw, a database that failed. The projection's offsets were not moved past the
 * event concerned; fix the cause and start the projection again to resume there.
 */
public class ProjectionParkedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed and where, never {@code null}
   * @param cause the underlying failure, may be {@code null}
   */
  public ProjectionParkedException(String message, Throwable cause) {
    super(message, cause);
  }
}
