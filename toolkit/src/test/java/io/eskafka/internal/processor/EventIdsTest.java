package io.eskafka.internal.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

  @Test
  void idsAreTheNameBasedUuidsEarlierReleasesWrote() {
    // A command handled again after an upgrade must get the ids it got before.
    EventIds ids = new EventIds();
    for (String commandId : new String[] {"c-1", "9f2c1e4a-0000-4000-8000-000000000001",
        "bench-42", "ünïcødé", ""}) {
      for (int index = 0; index < 4; index++) {
        String expected = UUID.nameUUIDFromBytes(
            (commandId + "#" + index).getBytes(StandardCharsets.UTF_8)).toString();
        assertThat(ids.of(commandId, index)).isEqualTo(expected);
      }
    }
  }

  @Test
  void differentEventsOfOneCommandGetDifferentIds() {
    EventIds ids = new EventIds();
    assertThat(ids.of("c-1", 0)).isNotEqualTo(ids.of("c-1", 1));
  }
}
