package io.eskafka.decider;

import java.util.Set;

/**
 * A {@link Decider} that declares which command and event classes it handles, so a runtime can
 * refuse unknown types at the edge (a command of an undeclared type goes to the dead-letter
 * topic instead of reaching {@link #decide}).
 *
 * <p>{@link DeciderBuilder} builds one. Implementations are immutable and thread-safe.
 *
 * @param <C> command type
 * @param <E> event type
 * @param <S> state type
 */
public interface TypedDecider<C, E, S> extends Decider<C, E, S> {

  /**
   * The command classes this decider handles, matched exactly (not by subtype).
   *
   * @return an unmodifiable, non-empty set
   */
  Set<Class<? extends C>> commandTypes();

  /**
   * The event classes this decider emits and evolves, matched exactly.
   *
   * @return an unmodifiable, non-empty set
   */
  Set<Class<? extends E>> eventTypes();
}
