package io.eskafka.testing;

import io.eskafka.decider.Decider;
import io.eskafka.decider.Decision;
import io.eskafka.decider.TypedDecider;
import io.eskafka.kafka.serde.AvroClassTrust;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Given/When/Then tests for a pure {@link Decider}: no Kafka, milliseconds per test.
 *
 * <pre>{@code
 * DeciderFixture.of(BankAccountDecider.DECIDER)
 *     .given(new AccountOpened("ada"), new MoneyDeposited(100L, 100L))
 *     .when(new Withdraw(500L))
 *     .thenRejected("insufficient funds: balance 100, withdrawal 500");
 * }</pre>
 *
 * <p>Failures throw {@link AssertionError} with expected and actual events side by side, so any
 * test framework reports them. Not thread-safe; one fixture per test.
 *
 * @param <C> command type
 * @param <E> event type
 * @param <S> state type
 */
public final class DeciderFixture<C, E, S> {

  private final Decider<C, E, S> decider;

  private DeciderFixture(Decider<C, E, S> decider) {
    this.decider = Objects.requireNonNull(decider, "decider");
    trustAvroTypes(decider);
  }

  // Avro 1.12 refuses to deep-copy generated records (X.newBuilder(other)) whose enum classes it has
  // not been told to trust; a deployed aggregate trusts its types, and so must a test of it.
  @SuppressWarnings("unchecked")
  private static void trustAvroTypes(Decider<?, ?, ?> decider) {
    List<Class<?>> types = new ArrayList<>();
    if (decider instanceof TypedDecider<?, ?, ?> typed) {
      types.addAll(typed.commandTypes());
      types.addAll(typed.eventTypes());
    }
    types.add(decider.initialState().getClass());
    for (Class<?> type : types) {
      if (SpecificRecord.class.isAssignableFrom(type)) {
        AvroClassTrust.trust((Class<? extends SpecificRecord>) type);
      }
    }
  }

  /**
   * Starts a fixture for a decider.
   *
   * @param decider the decider under test, never {@code null}
   * @param <C> command type
   * @param <E> event type
   * @param <S> state type
   * @return a fixture
   */
  public static <C, E, S> DeciderFixture<C, E, S> of(Decider<C, E, S> decider) {
    return new DeciderFixture<>(decider);
  }

  /**
   * The events the stream already holds, in version order.
   *
   * @param history past events; none for a new stream
   * @return the "when" step
   */
  @SafeVarargs
  public final Given<C, E, S> given(E... history) {
    return given(Arrays.asList(history));
  }

  /**
   * The events the stream already holds, in version order.
   *
   * @param history past events, never {@code null}
   * @return the "when" step
   */
  public Given<C, E, S> given(List<? extends E> history) {
    S state = decider.initialState();
    for (E event : history) {
      state = decider.evolve(state, event);
    }
    return new Given<>(decider, List.copyOf(history), state);
  }

  /**
   * Shortcut for {@code given().when(command)}: a command on a new stream.
   *
   * @param command the command, never {@code null}
   * @return the "then" step
   */
  public Then<C, E, S> whenNew(C command) {
    return given(List.of()).when(command);
  }

  /**
   * A stream with history, waiting for a command.
   *
   * @param <C> command type
   * @param <E> event type
   * @param <S> state type
   */
  public static final class Given<C, E, S> {
    private final Decider<C, E, S> decider;
    private final List<E> history;
    private final S state;

    private Given(Decider<C, E, S> decider, List<E> history, S state) {
      this.decider = decider;
      this.history = history;
      this.state = state;
    }

    /**
     * Decides a command against the state folded from the history.
     *
     * @param command the command, never {@code null}
     * @return the "then" step
     */
    public Then<C, E, S> when(C command) {
      Objects.requireNonNull(command, "command");
      Decision<E> decision = decider.decide(command, state);
      return new Then<>(decider, history, command, state, decision);
    }
  }

  /**
   * The outcome of one command, to assert on. Assertions chain.
   *
   * @param <C> command type
   * @param <E> event type
   * @param <S> state type
   */
  public static final class Then<C, E, S> {
    private final Decider<C, E, S> decider;
    private final List<E> history;
    private final C command;
    private final S stateBefore;
    private final Decision<E> decision;

    private Then(Decider<C, E, S> decider, List<E> history, C command, S stateBefore,
        Decision<E> decision) {
      this.decider = decider;
      this.history = history;
      this.command = command;
      this.stateBefore = stateBefore;
      this.decision = decision;
    }

    /**
     * Asserts the command was accepted with exactly these events, in this order (compared with
     * {@code equals}).
     *
     * @param expected the expected events; none asserts an accepted no-op
     * @return this, to chain {@link #thenState}
     * @throws AssertionError showing expected and actual events otherwise
     */
    @SafeVarargs
    public final Then<C, E, S> thenEvents(E... expected) {
      List<E> want = Arrays.asList(expected);
      if (!(decision instanceof Decision.Accepted<E> accepted)) {
        throw failure("expected events", render(want), "rejected: " + reason());
      }
      if (!accepted.events().equals(want)) {
        throw failure("expected events", render(want), render(accepted.events()));
      }
      return this;
    }

    /**
     * Asserts the command was rejected, for any reason.
     *
     * @return this
     * @throws AssertionError showing the accepted events otherwise
     */
    public Then<C, E, S> thenRejected() {
      if (!(decision instanceof Decision.Rejected<E>)) {
        throw failure("expected a rejection", "rejected", "accepted " + render(events()));
      }
      return this;
    }

    /**
     * Asserts the command was rejected with exactly this reason.
     *
     * @param expectedReason the reason, never {@code null}
     * @return this
     * @throws AssertionError showing the actual outcome otherwise
     */
    public Then<C, E, S> thenRejected(String expectedReason) {
      thenRejected();
      if (!expectedReason.equals(reason())) {
        throw failure("expected rejection reason", expectedReason, reason());
      }
      return this;
    }

    /**
     * Asserts the state after the history and the accepted events (the state before the command
     * when it was rejected) equals {@code expected}.
     *
     * @param expected the expected state, never {@code null}
     * @return this
     * @throws AssertionError showing expected and actual state otherwise
     */
    public Then<C, E, S> thenState(S expected) {
      S actual = stateAfter();
      if (!Objects.equals(expected, actual)) {
        throw failure("expected state", String.valueOf(expected), String.valueOf(actual));
      }
      return this;
    }

    /**
     * Hands the state after the command to custom assertions (for partial checks).
     *
     * @param assertions e.g. AssertJ calls; never {@code null}
     * @return this
     */
    public Then<C, E, S> thenStateSatisfies(Consumer<? super S> assertions) {
      assertions.accept(stateAfter());
      return this;
    }

    /**
     * The decision itself, for assertions the fixture does not cover.
     *
     * @return never {@code null}
     */
    public Decision<E> decision() {
      return decision;
    }

    private S stateAfter() {
      return decider.fold(stateBefore, events());
    }

    private List<E> events() {
      return decision instanceof Decision.Accepted<E> accepted ? accepted.events() : List.of();
    }

    private String reason() {
      return decision instanceof Decision.Rejected<E> rejected ? rejected.reason() : null;
    }

    private AssertionError failure(String what, String expected, String actual) {
      return new AssertionError(what + "\n"
          + "  given:    " + render(history) + "\n"
          + "  when:     " + describe(command) + "\n"
          + "  expected: " + expected + "\n"
          + "  actual:   " + actual);
    }

    private static String render(List<?> events) {
      List<String> parts = new ArrayList<>();
      for (Object event : events) {
        parts.add(describe(event));
      }
      return parts.isEmpty() ? "(no events)" : String.join(", ", parts);
    }

    // Avro records print as JSON without their type; the simple class name makes the diff legible.
    private static String describe(Object value) {
      return value.getClass().getSimpleName() + value;
    }
  }
}
