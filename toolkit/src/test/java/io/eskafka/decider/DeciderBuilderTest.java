package io.eskafka.decider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeciderBuilderTest {

  interface Cmd {}

  record Add(int n) implements Cmd {}

  record Reset() implements Cmd {}

  interface Evt {}

  record Added(int n) implements Evt {}

  record WasReset() implements Evt {}

  private static DeciderBuilder<Cmd, Evt, Integer> counter() {
    return DeciderBuilder.create(Cmd.class, Evt.class, () -> 0)
        .commands(Add.class, Reset.class)
        .events(Added.class, WasReset.class);
  }

  @Test
  void dispatchesByExactClass() {
    TypedDecider<Cmd, Evt, Integer> decider = counter()
        .onCommand(Add.class, (c, s) -> c.n() > 0 ? Decision.accept(new Added(c.n()))
            : Decision.reject("n must be positive"))
        .onCommand(Reset.class, (c, s) -> Decision.accept(new WasReset()))
        .onEvent(Added.class, (s, e) -> s + e.n())
        .onEvent(WasReset.class, (s, e) -> 0)
        .build();

    assertThat(decider.initialState()).isZero();
    assertThat(decider.decide(new Add(2), 0)).isEqualTo(Decision.accept(new Added(2)));
    assertThat(decider.decide(new Add(-1), 0)).isEqualTo(Decision.reject("n must be positive"));
    assertThat(decider.fold(0, java.util.List.of(new Added(2), new Added(3)))).isEqualTo(5);
    assertThat(decider.evolve(5, new WasReset())).isZero();
    assertThat(decider.commandTypes()).containsExactly(Add.class, Reset.class);
    assertThat(decider.eventTypes()).containsExactly(Added.class, WasReset.class);
  }

  @Test
  void refusesToBuildWhenADeclaredCommandHasNoHandler() {
    DeciderBuilder<Cmd, Evt, Integer> builder = counter()
        .onCommand(Add.class, (c, s) -> Decision.accept())
        .onEvent(Added.class, (s, e) -> s)
        .onEvent(WasReset.class, (s, e) -> s);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("command " + Reset.class.getName() + " is declared but has no handler");
  }

  @Test
  void refusesToBuildWhenADeclaredEventHasNoHandler() {
    DeciderBuilder<Cmd, Evt, Integer> builder = counter()
        .onCommand(Add.class, (c, s) -> Decision.accept())
        .onCommand(Reset.class, (c, s) -> Decision.accept())
        .onEvent(Added.class, (s, e) -> s);

    assertThatThrownBy(builder::build)
        .hasMessageContaining("event " + WasReset.class.getName() + " is declared but has no handler");
  }

  @Test
  void refusesHandlersForUndeclaredTypesAndDoubleHandlers() {
    DeciderBuilder<Cmd, Evt, Integer> builder =
        DeciderBuilder.create(Cmd.class, Evt.class, () -> 0)
            .commands(Add.class)
            .events(Added.class)
            .onCommand(Add.class, (c, s) -> Decision.accept())
            .onCommand(Reset.class, (c, s) -> Decision.accept())
            .onEvent(Added.class, (s, e) -> s);

    assertThatThrownBy(builder::build)
        .hasMessageContaining("command " + Reset.class.getName() + " has a handler but is not declared");
    assertThatThrownBy(() -> builder.onEvent(Added.class, (s, e) -> s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two handlers");
  }

  @Test
  void refusesAnEmptyDeclaration() {
    assertThatThrownBy(() -> DeciderBuilder.create(Cmd.class, Evt.class, () -> 0).build())
        .hasMessageContaining("no command types declared")
        .hasMessageContaining("no event types declared");
  }

  @Test
  void rejectionsNeedAReason() {
    assertThatThrownBy(() -> Decision.reject(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Decision.accept()).isEqualTo(new Decision.Accepted<>(java.util.List.of()));
  }
}
