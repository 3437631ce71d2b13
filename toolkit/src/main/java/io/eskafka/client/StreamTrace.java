package io.eskafka.client;

import java.util.List;
import java.util.Objects;

/**
 * A stream's events, each with the state after it: watch a state being built event by event (for
 * example to see where a bug creeps in). Immutable.
 *
 * @param streamId the stream
 * @param initialState the state before the first event, never {@code null}
 * @param steps one per event, in version order
 * @param <S> state type
 */
public record StreamTrace<S>(String streamId, S initialState, List<TraceStep<S>> steps) {

  /** Copies the steps. */
  public StreamTrace {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(initialState, "initialState");
    steps = List.copyOf(steps);
  }

  /**
   * A readable rendering, one block per event, e.g.
   *
   * <pre>
   * stream acc-1: 2 events
   *   initial  {"owner": "", "balanceCents": 0}
   *   v1  2026-11-26T09:45:17.646Z  AccountOpened  {"owner": "Ada"}
   *       state  {"owner": "Ada", "balanceCents": 0}
   * </pre>
   *
   * <p>Events and states print as Avro renders records (JSON-like).
   *
   * @return the text, ending with a newline
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("stream ").append(streamId).append(": ").append(steps.size())
        .append(steps.size() == 1 ? " event" : " events").append('\n');
    out.append("  initial  ").append(initialState).append('\n');
    for (TraceStep<S> step : steps) {
      StoredEvent event = step.event();
      String simpleType = event.type().substring(event.type().lastIndexOf('.') + 1);
      out.append("  v").append(event.version()).append("  ").append(event.appendedAt())
          .append("  ").append(simpleType).append("  ").append(event.event()).append('\n');
      out.append("  ").append(" ".repeat(Long.toString(event.version()).length() + 1))
          .append("state  ").append(step.stateAfter()).append('\n');
    }
    return out.toString();
  }
}
