package io.eskafka.runtime;

/**
 * An aggregate of the deployment is not serving yet (the runtime is starting: the HTTP API is up
 * before the Streams instances, whose {@code application.server} is its address) or any more.
 * The HTTP API answers 503.
 */
public final class NotRunningException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message names the aggregate and its state
   */
  public NotRunningException(String message) {
    super(message);
  }
}
