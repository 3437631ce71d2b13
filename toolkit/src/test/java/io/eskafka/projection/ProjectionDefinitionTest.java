package io.eskafka.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.testdata.Customer;
import io.eskafka.testdata.Shipment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Names, topics and filters of projection definitions. */
class ProjectionDefinitionTest {

  @Test
  void selectionWithoutFilterAcceptsEveryType() {
    EventSelection selection = EventSelection.of("a.events", "b.events", "a.events");
    assertThat(selection.topics()).containsExactly("a.events", "b.events");
    assertThat(selection.accepts("any.Type")).isTrue();
  }

  @Test
  void filterByClassUsesTheAvroFullName() {
    EventSelection selection = EventSelection.of("a.events").onlyTypes(Customer.class);
    assertThat(selection.eventTypes()).containsExactly(Customer.getClassSchema().getFullName());
    assertThat(selection.accepts(Customer.getClassSchema().getFullName())).isTrue();
    assertThat(selection.accepts(Shipment.getClassSchema().getFullName())).isFalse();
  }

  @Test
  void aSelectionNeedsATopic() {
    assertThatThrownBy(() -> EventSelection.of())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one event topic");
  }

  @Test
  void namesMustBeLegalConsumerGroupIdParts() {
    EventSelection selection = EventSelection.of("a.events");
    assertThat(new AtLeastOnceProjection("read-model_1.v2", selection, e -> { }).name())
        .isEqualTo("read-model_1.v2");
    assertThatThrownBy(() -> new AtLeastOnceProjection("has space", selection, e -> { }))
        .hasMessageContaining("not a legal consumer group id part");
    assertThatThrownBy(() -> new JdbcProjection("", selection, List.of(), (e, c) -> { }, c -> { }))
        .hasMessageContaining("must not be null or empty");
    assertThatThrownBy(() -> new AtLeastOnceProjection("x".repeat(201), selection, e -> { }))
        .hasMessageContaining("at most 200");
  }
}
