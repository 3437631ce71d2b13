package io.eskafka.runtime;

/**
 * An application could not start; the message is one line naming the cause (Kafka or the registry
 * unreachable, a topic that does not match, not RUNNING in time).
 */
public final class StartupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message the one-line cause
   * @param cause the underlying failure, or {@code null}
   */
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
