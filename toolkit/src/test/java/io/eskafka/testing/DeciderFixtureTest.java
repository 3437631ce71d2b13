package io.eskafka.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.decider.Decision;
import io.eskafka.decider.DeciderBuilder;
import io.eskafka.decider.TypedDecider;
import org.junit.jupiter.api.Test;

class DeciderFixtureTest {

  interface Cmd {}

  record Take(int n) implements Cmd {}

  interface Evt {}

  record Filled(int n) implements Evt {}

  record Taken(int n) implements Evt {}

  /** A jar of n sweets: take some, never more than there are. */
  private static final TypedDecider<Cmd, Evt, Integer> JAR =
      DeciderBuilder.create(Cmd.class, Evt.class, () -> 0)
          .commands(Take.class)
          .events(Filled.class, Taken.class)
          .onCommand(Take.class, (c, s) -> c.n() > s
              ? Decision.reject("only " + s + " left")
              : Decision.accept(new Taken(c.n())))
          .onEvent(Filled.class, (s, e) -> s + e.n())
          .onEvent(Taken.class, (s, e) -> s - e.n())
          .build();

  @Test
  void passesWhenEventsRejectionAndStateMatch() {
    DeciderFixture.of(JAR).given(new Filled(5)).when(new Take(2))
        .thenEvents(new Taken(2))
        .thenState(3);
    DeciderFixture.of(JAR).given(new Filled(1)).when(new Take(2))
        .thenRejected("only 1 left")
        .thenState(1);
    DeciderFixture.of(JAR).whenNew(new Take(1)).thenRejected();
  }

  @Test
  void failureShowsExpectedAndActualEvents() {
    assertThatThrownBy(() ->
        DeciderFixture.of(JAR).given(new Filled(5)).when(new Take(2)).thenEvents(new Taken(3)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("given:    Filled" + new Filled(5))
        .hasMessageContaining("when:     Take" + new Take(2))
        .hasMessageContaining("expected: Taken" + new Taken(3))
        .hasMessageContaining("actual:   Taken" + new Taken(2));
  }

  @Test
  void failureWhenRejectedButEventsExpected() {
    assertThatThrownBy(() ->
        DeciderFixture.of(JAR).whenNew(new Take(2)).thenEvents(new Taken(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("actual:   rejected: only 0 left");
  }

  @Test
  void failureWhenAcceptedButRejectionExpected() {
    assertThatThrownBy(() ->
        DeciderFixture.of(JAR).given(new Filled(5)).when(new Take(1)).thenRejected())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("actual:   accepted Taken" + new Taken(1));
  }

  @Test
  void failureOnWrongReasonAndWrongState() {
    assertThatThrownBy(() ->
        DeciderFixture.of(JAR).whenNew(new Take(2)).thenRejected("empty"))
        .hasMessageContaining("expected: empty")
        .hasMessageContaining("actual:   only 0 left");
    assertThatThrownBy(() ->
        DeciderFixture.of(JAR).given(new Filled(5)).when(new Take(1)).thenState(5))
        .hasMessageContaining("expected: 5")
        .hasMessageContaining("actual:   4");
  }

  @Test
  void stateSatisfiesHandsOverTheState() {
    DeciderFixture.of(JAR).given(new Filled(5), new Taken(1)).when(new Take(4))
        .thenStateSatisfies(s -> assertThat(s).isZero());
  }
}
