package io.eskafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventKeyTest {

  @Test
  void rendersReadableFixedWidthKeysAndParsesThemBack() {
    EventKey key = new EventKey("user@example.com", 42);
    assertThat(key.format()).isEqualTo("user@example.com@0000000000000000042");
    assertThat(EventKey.parse(key.format())).isEqualTo(key);
    assertThat(new EventKey("a", Long.MAX_VALUE).format()).isEqualTo("a@" + Long.MAX_VALUE);
  }

  @Test
  void refusesWhatIsNotAnEventKey() {
    assertThatThrownBy(() -> EventKey.parse("acc-1"))
        .hasMessageContaining("not an event key (expected <streamId>@<19-digit version>): 'acc-1'");
    assertThatThrownBy(() -> EventKey.parse("acc-1@12"))
        .hasMessageContaining("'acc-1@12'");
    assertThatThrownBy(() -> EventKey.parse("acc-1@00000000000000000x1"))
        .hasMessageContaining("version is not a number");
    assertThatThrownBy(() -> new EventKey("acc-1", 0))
        .hasMessageContaining("event versions start at 1, got 0");
    assertThatThrownBy(() -> new EventKey("", 1)).hasMessageContaining("must not be empty");
  }

  @Test
  void partitionDependsOnTheStreamIdOnly() {
    int partition = EventKey.partitionOf("acc-7", 6);
    assertThat(partition).isBetween(0, 5);
    assertThat(EventKey.partitionOf("acc-7", 6)).isEqualTo(partition);
  }
}
