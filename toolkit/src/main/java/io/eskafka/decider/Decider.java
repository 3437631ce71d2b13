package io.eskafka.decider;

/**
 * An aggregate written as three pure functions: where a stream starts, what a command decides given
 * the current state, and how an event changes the state.
 *
 * <p>Implementations must be deterministic and free of side effects: the toolkit calls them from
 * Kafka Streams threads, may call them again for the same input after a crash (the transaction of
 * the first attempt is then aborted), and replays {@link #evolve} over stored events to rebuild
 * state. An implementation may be called from several threads at once, one call per stream at a
 * time; keep it stateless.
 *
 * <p>Most aggregates are built with {@link DeciderBuilder}, which dispatches per command and event
 * class and checks at start-up that every declared type has a handler.
 *
 * @param <C> command type (usually a common supertype of generated Avro records)
 * @param <E> event type
 * @param <S> state type
 */
public interface Decider<C, E, S> {

  /**
   * The state of a stream that has no events yet.
   *
   * @return the initial state, never {@code null}
   */
  S initialState();

  /**
   * Decides what a command means in the given state.
   *
   * @param command the command, never {@code null}
   * @param state the state after every event of the stream so far, never {@code null}
   * @return accepted events (possibly none) or a rejection with a reason; never {@code null}
   */
  Decision<E> decide(C command, S state);

  /**
   * Applies one event to a state. The only place where state changes.
   *
   * @param state the state before the event, never {@code null}
   * @param event the event, never {@code null}
   * @return the state after the event, never {@code null}
   */
  S evolve(S state, E event);

  /**
   * Folds events over a state with {@link #evolve}.
   *
   * @param state the state to start from, never {@code null}
   * @param events the events in version order, never {@code null}
   * @return the state after the last event
   */
  default S fold(S state, Iterable<? extends E> events) {
    S current = state;
    for (E event : events) {
      current = evolve(current, event);
    }
    return current;
  }
}
