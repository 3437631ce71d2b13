package io.eskafka.kafka;

/**
 * {@link ProjectionAdmin#reset} would not reset a group: it has active members, it never committed
 * offsets, or the target does not fit its partitions. Nothing was changed. The message says which
 * group and why.
 */
public class ResetRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message the group and the reason, never {@code null}
   */
  public ResetRefusedException(String message) {
    super(message);
  }
}
