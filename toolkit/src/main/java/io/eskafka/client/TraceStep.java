package io.eskafka.client;

import java.util.Objects;

/**
 * One line of a stream trace: an event and the state right after it. Immutable.
 *
 * @param event the event
 * @param stateAfter the state after evolving it, never {@code null}
 * @param <S> state type
 */
public record TraceStep<S>(StoredEvent event, S stateAfter) {
  /** Requires both parts. */
  public TraceStep {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(stateAfter, "stateAfter");
  }
}
