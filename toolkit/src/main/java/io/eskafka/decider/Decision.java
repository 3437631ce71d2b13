package io.eskafka.decider;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Decider} made of a command: events to append (possibly none), or a rejection with
 * a reason. Rejections are values, not exceptions: they are answered to the sender and append
 * nothing.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <E> event type
 */
public sealed interface Decision<E> permits Decision.Accepted, Decision.Rejected {

  /**
   * The command is accepted; these events are appended in order.
   *
   * @param events the events, possibly empty (an accepted no-op); never {@code null}, no nulls
   * @param <E> event type
   */
  record Accepted<E>(List<E> events) implements Decision<E> {
    /** Copies the list; rejects nulls. */
    public Accepted {
      events = List.copyOf(Objects.requireNonNull(events, "events"));
    }
  }

  /**
   * The command is refused; nothing is appended.
   *
   * @param reason why, for the sender; never {@code null} or blank
   * @param <E> event type
   */
  record Rejected<E>(String reason) implements Decision<E> {
    /** Requires a non-blank reason: a rejection without one helps nobody. */
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      if (reason.isBlank()) {
        throw new IllegalArgumentException("a rejection needs a reason");
      }
    }
  }

  /**
   * Accepts a command with the given events.
   *
   * @param events events to append, in order; none means an accepted no-op
   * @param <E> event type
   * @return the decision
   */
  @SafeVarargs
  static <E> Decision<E> accept(E... events) {
    return new Accepted<>(Arrays.asList(events));
  }

  /**
   * Accepts a command with the given events.
   *
   * @param events events to append, in order; never {@code null}
   * @param <E> event type
   * @return the decision
   */
  static <E> Decision<E> accept(List<E> events) {
    return new Accepted<>(events);
  }

  /**
   * Rejects a command.
   *
   * @param reason why, for the sender; never {@code null} or blank
   * @param <E> event type
   * @return the decision
   */
  static <E> Decision<E> reject(String reason) {
    return new Rejected<>(reason);
  }
}
