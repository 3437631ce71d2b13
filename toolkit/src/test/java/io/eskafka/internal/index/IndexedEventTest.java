package io.eskafka.internal.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class IndexedEventTest {

  private static final byte[] PAYLOAD = {0, 0, 0, 0, 7, 2, 4, 6, (byte) 0xff};

  @Test
  void roundTripsAsciiAndOtherText() {
    for (String text : new String[] {"bank.events.MoneyDeposited", "", "ünïcødé 🏦", "nul\0inside"}) {
      IndexedEvent event = new IndexedEvent(text, "id-" + text, 1_700_000_000_123L, PAYLOAD);
      assertThat(IndexedEvent.decode(event.encode())).isEqualTo(event);
    }
  }

  @Test
  void readsAndWritesTheLayoutStoresAlreadyHold() throws IOException {
    // Values written before the encoding was hand-rolled: DataOutputStream's writeUTF layout.
    for (String type : new String[] {"bank.events.AccountOpened", "ünïcødé 🏦", "nul\0"}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeUTF(type);
        out.writeUTF("2f1c");
        out.writeLong(42L);
        out.write(PAYLOAD);
      }
      IndexedEvent event = new IndexedEvent(type, "2f1c", 42L, PAYLOAD);
      assertThat(IndexedEvent.decode(bytes.toByteArray())).isEqualTo(event);
      assertThat(event.encode()).isEqualTo(bytes.toByteArray());
    }
  }

  @Test
  void truncatedValuesAreRefused() {
    byte[] value = new IndexedEvent("t", "i", 1L, PAYLOAD).encode();
    byte[] truncated = java.util.Arrays.copyOf(value, 7);
    assertThatThrownBy(() -> IndexedEvent.decode(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corrupt stream index value (7 bytes)");
    assertThatThrownBy(() -> IndexedEvent.decode(new byte[] {0, 50, 65}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
