package io.eskafka.decider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Builds a {@link TypedDecider} from one handler per command class and one per event class.
 *
 * <p>{@link #build()} fails, naming the type, when a declared command or event class has no
 * handler or a handler is registered for a class that was not declared; an aggregate is thus
 * complete when it starts, never surprised by an unhandled type at run time.
 *
 * <pre>{@code
 * TypedDecider<SpecificRecord, SpecificRecord, Account> decider =
 *     DeciderBuilder.create(SpecificRecord.class, SpecificRecord.class, Account::initial)
 *         .commands(Open.class, Deposit.class)
 *         .events(Opened.class, Deposited.class)
 *         .onCommand(Open.class, (cmd, state) -> Decision.accept(new Opened(cmd.getOwner())))
 *         .onCommand(Deposit.class, Account::deposit)
 *         .onEvent(Opened.class, Account::opened)
 *         .onEvent(Deposited.class, Account::deposited)
 *         .build();
 * }</pre>
 *
 * <p>Not thread-safe; build once at start-up. The built decider is immutable and thread-safe.
 *
 * @param <C> command supertype
 * @param <E> event supertype
 * @param <S> state type
 */
public final class DeciderBuilder<C, E, S> {

  /**
   * Decides one command class.
   *
   * @param <X> the command class
   * @param <E> event supertype
   * @param <S> state type
   */
  @FunctionalInterface
  public interface CommandHandler<X, E, S> {
    /**
     * Decides a command in a state; see {@link Decider#decide}.
     *
     * @param command never {@code null}
     * @param state never {@code null}
     * @return never {@code null}
     */
    Decision<E> decide(X command, S state);
  }

  /**
   * Applies one event class to a state.
   *
   * @param <Y> the event class
   * @param <S> state type
   */
  @FunctionalInterface
  public interface EventHandler<Y, S> {
    /**
     * Applies an event; see {@link Decider#evolve}.
     *
     * @param state never {@code null}
     * @param event never {@code null}
     * @return the new state, never {@code null}
     */
    S evolve(S state, Y event);
  }

  private final Supplier<S> initialState;
  private final Set<Class<? extends C>> declaredCommands = new LinkedHashSet<>();
  private final Set<Class<? extends E>> declaredEvents = new LinkedHashSet<>();
  private final Map<Class<?>, CommandHandler<Object, E, S>> commandHandlers = new LinkedHashMap<>();
  private final Map<Class<?>, EventHandler<Object, S>> eventHandlers = new LinkedHashMap<>();

  private DeciderBuilder(Class<C> commandBase, Class<E> eventBase, Supplier<S> initialState) {
    // The base classes only anchor type inference at the call site; dispatch is by exact class.
    Objects.requireNonNull(commandBase, "commandBase");
    Objects.requireNonNull(eventBase, "eventBase");
    this.initialState = Objects.requireNonNull(initialState, "initialState");
  }

  /**
   * Starts a builder.
   *
   * @param commandBase common supertype of the commands (e.g. Avro's {@code SpecificRecord})
   * @param eventBase common supertype of the events
   * @param initialState supplies the state of a new stream; called once per new stream and must
   *     return a non-null value
   * @param <C> command supertype
   * @param <E> event supertype
   * @param <S> state type
   * @return a new builder
   */
  public static <C, E, S> DeciderBuilder<C, E, S> create(
      Class<C> commandBase, Class<E> eventBase, Supplier<S> initialState) {
    return new DeciderBuilder<>(commandBase, eventBase, initialState);
  }

  /**
   * Declares the command classes of the aggregate.
   *
   * @param types command classes, never {@code null}
   * @return this builder
   */
  @SafeVarargs
  public final DeciderBuilder<C, E, S> commands(Class<? extends C>... types) {
    declaredCommands.addAll(Arrays.asList(types));
    return this;
  }

  /**
   * Declares the event classes of the aggregate.
   *
   * @param types event classes, never {@code null}
   * @return this builder
   */
  @SafeVarargs
  public final DeciderBuilder<C, E, S> events(Class<? extends E>... types) {
    declaredEvents.addAll(Arrays.asList(types));
    return this;
  }

  /**
   * Registers the handler of one command class.
   *
   * @param type the command class, matched exactly
   * @param handler its handler
   * @param <X> the command class
   * @return this builder
   * @throws IllegalArgumentException if {@code type} already has a handler
   */
  @SuppressWarnings("unchecked")
  public <X extends C> DeciderBuilder<C, E, S> onCommand(
      Class<X> type, CommandHandler<? super X, E, S> handler) {
    Objects.requireNonNull(handler, "handler");
    if (commandHandlers.putIfAbsent(type, (CommandHandler<Object, E, S>) handler) != null) {
      throw new IllegalArgumentException("command " + type.getName() + " has two handlers");
    }
    return this;
  }

  /**
   * Registers the handler of one event class.
   *
   * @param type the event class, matched exactly
   * @param handler its handler
   * @param <Y> the event class
   * @return this builder
   * @throws IllegalArgumentException if {@code type} already has a handler
   */
  @SuppressWarnings("unchecked")
  public <Y extends E> DeciderBuilder<C, E, S> onEvent(
      Class<Y> type, EventHandler<? super Y, S> handler) {
    Objects.requireNonNull(handler, "handler");
    if (eventHandlers.putIfAbsent(type, (EventHandler<Object, S>) handler) != null) {
      throw new IllegalArgumentException("event " + type.getName() + " has two handlers");
    }
    return this;
  }

  /**
   * Checks that declarations and handlers match one to one and builds the decider.
   *
   * @return an immutable, thread-safe decider
   * @throws IllegalStateException naming every type that is declared without a handler or handled
   *     without being declared
   */
  public TypedDecider<C, E, S> build() {
    List<String> problems = new ArrayList<>();
    if (declaredCommands.isEmpty()) {
      problems.add("no command types declared (call commands(...))");
    }
    if (declaredEvents.isEmpty()) {
      problems.add("no event types declared (call events(...))");
    }
    for (Class<?> type : declaredCommands) {
      if (!commandHandlers.containsKey(type)) {
        problems.add("command " + type.getName() + " is declared but has no handler (onCommand)");
      }
    }
    for (Class<?> type : commandHandlers.keySet()) {
      if (!declaredCommands.contains(type)) {
        problems.add("command " + type.getName() + " has a handler but is not declared (commands)");
      }
    }
    for (Class<?> type : declaredEvents) {
      if (!eventHandlers.containsKey(type)) {
        problems.add("event " + type.getName() + " is declared but has no handler (onEvent)");
      }
    }
    for (Class<?> type : eventHandlers.keySet()) {
      if (!declaredEvents.contains(type)) {
        problems.add("event " + type.getName() + " has a handler but is not declared (events)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("incomplete decider: " + String.join("; ", problems));
    }
    return new Dispatching<>(
        initialState,
        Collections.unmodifiableSet(new LinkedHashSet<>(declaredCommands)),
        Collections.unmodifiableSet(new LinkedHashSet<>(declaredEvents)),
        Map.copyOf(commandHandlers),
        Map.copyOf(eventHandlers));
  }

  private record Dispatching<C, E, S>(
      Supplier<S> initial,
      Set<Class<? extends C>> commandTypes,
      Set<Class<? extends E>> eventTypes,
      Map<Class<?>, CommandHandler<Object, E, S>> commandHandlers,
      Map<Class<?>, EventHandler<Object, S>> eventHandlers)
      implements TypedDecider<C, E, S> {

    @Override
    public S initialState() {
      return Objects.requireNonNull(initial.get(), "initialState supplier returned null");
    }

    @Override
    public Decision<E> decide(C command, S state) {
      CommandHandler<Object, E, S> handler = commandHandlers.get(command.getClass());
      if (handler == null) {
        throw new IllegalArgumentException(
            "no handler for command " + command.getClass().getName()
                + "; declared: " + names(commandTypes));
      }
      return Objects.requireNonNull(
          handler.decide(command, state),
          () -> "handler of " + command.getClass().getName() + " returned null");
    }

    @Override
    public S evolve(S state, E event) {
      EventHandler<Object, S> handler = eventHandlers.get(event.getClass());
      if (handler == null) {
        throw new IllegalArgumentException(
            "no handler for event " + event.getClass().getName()
                + "; declared: " + names(eventTypes));
      }
      return Objects.requireNonNull(
          handler.evolve(state, event),
          () -> "handler of " + event.getClass().getName() + " returned null");
    }

    private static String names(Set<? extends Class<?>> types) {
      return types.stream().map(Class::getSimpleName).toList().toString();
    }
  }
}
