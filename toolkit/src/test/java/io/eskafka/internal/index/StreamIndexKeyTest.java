package io.eskafka.internal.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** The index key layout: exact per-stream ranges in byte order, and the entry codec. */
class StreamIndexKeyTest {

  private static final List<String> IDS = List.of("acc", "acc@5", "acc@x", "acc@", "ac", "acc5",
      "acc\u0000", "ü", "u", "a", "acc@0000000000000000001", "@", "acc@5@6");

  @Test
  void aRangeOverOneStreamHoldsExactlyThatStreamsKeysInVersionOrder() {
    // RocksDB orders keys bytewise (unsigned), as Bytes.compareTo does.
    TreeMap<Bytes, String> store = new TreeMap<>();
    for (String id : IDS) {
      for (long version : new long[] {1, 2, 9, 10, 255, 256, 1L << 40, Long.MAX_VALUE - 1}) {
        store.put(StreamIndexKey.of(id, version), id + "#" + version);
      }
    }
    for (String id : IDS) {
      List<String> found = new ArrayList<>(store.subMap(StreamIndexKey.of(id, 0L), true,
          StreamIndexKey.of(id, Long.MAX_VALUE), true).values());
      assertThat(found).containsExactly(id + "#1", id + "#2", id + "#9", id + "#10", id + "#255",
          id + "#256", id + "#" + (1L << 40), id + "#" + (Long.MAX_VALUE - 1));
    }
  }

  @Test
  void partsComeBackOut() {
    Bytes key = StreamIndexKey.of("user@example.com", 42L);
    assertThat(StreamIndexKey.streamId(key)).isEqualTo("user@example.com");
    assertThat(StreamIndexKey.version(key)).isEqualTo(42L);
  }

  @Test
  void anEventRecordBecomesItsEntryAndATombstoneADeletion() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(MessageHeaders.EVENT_TYPE, "x.Opened".getBytes(StandardCharsets.UTF_8));
    headers.add(MessageHeaders.EVENT_ID, "e-1".getBytes(StandardCharsets.UTF_8));
    byte[] key = new EventKey("acc@5", 3).toBytes();

    KeyValue<Bytes, byte[]> entry = EventIndexing.entry(key, new byte[] {0, 1, 2}, headers, 77L);
    assertThat(entry.key).isEqualTo(StreamIndexKey.of("acc@5", 3));
    assertThat(IndexedEvent.decode(entry.value))
        .isEqualTo(new IndexedEvent("x.Opened", "e-1", 77L, new byte[] {0, 1, 2}));

    KeyValue<Bytes, byte[]> tombstone = EventIndexing.entry(key, null, null, 78L);
    assertThat(tombstone.key).isEqualTo(StreamIndexKey.of("acc@5", 3));
    assertThat(tombstone.value).isNull();

    assertThat(EventIndexing.entry("not-an-event-key".getBytes(StandardCharsets.UTF_8),
        new byte[] {1}, null, 1L)).isNull();
    assertThat(EventIndexing.entry(null, new byte[] {1}, null, 1L)).isNull();
    assertThat(IndexedEvent.decode(EventIndexing.entry(key, new byte[0], null, 5L).value))
        .isEqualTo(new IndexedEvent("", "", 5L, new byte[0]));
  }

  @Test
  void commandKeysNeverFallInAStreamsEventRangeAndAreExactPerStream() {
    TreeMap<Bytes, String> store = new TreeMap<>();
    for (String id : IDS) {
      for (long version : new long[] {1, 2, 255, Long.MAX_VALUE - 1}) {
        store.put(StreamIndexKey.of(id, version), "event");
      }
      for (String command : List.of("", "c", "c-1", "ü", "\u0000", "acc@5")) {
        store.put(StreamIndexKey.command(id, command), id + "/" + command);
      }
    }
    for (String id : IDS) {
      assertThat(store.subMap(StreamIndexKey.of(id, 0L), true,
          StreamIndexKey.of(id, Long.MAX_VALUE), true).values()).containsOnly("event").hasSize(4);
      assertThat(store.subMap(StreamIndexKey.command(id, ""), true,
          StreamIndexKey.commandsEnd(id), true).values()).containsExactlyInAnyOrder(id + "/",
          id + "/c", id + "/c-1", id + "/ü", id + "/\u0000", id + "/acc@5");
    }
    assertThat(StreamIndexKey.lastVersion(StreamIndexKey.commandValue(42L))).isEqualTo(42L);
    // Every command key, and nothing else, lies between the two bounds; each gives its id back.
    assertThat(store.subMap(StreamIndexKey.COMMANDS_FROM, true, StreamIndexKey.COMMANDS_TO, true)
        .keySet()).hasSize(IDS.size() * 6).allSatisfy(key ->
            assertThat(store.get(key)).endsWith("/" + StreamIndexKey.commandId(key)));
  }

  @Test
  void anEventRecordRemembersItsCommandUnlessItIsATombstoneOrHasNoCommandId() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(MessageHeaders.COMMAND_ID, "cmd-9".getBytes(StandardCharsets.UTF_8));
    byte[] key = new EventKey("acc@5", 3).toBytes();

    KeyValue<Bytes, byte[]> entry = EventIndexing.commandEntry(key, new byte[] {1}, headers);
    assertThat(entry.key).isEqualTo(StreamIndexKey.command("acc@5", "cmd-9"));
    assertThat(StreamIndexKey.lastVersion(entry.value)).isEqualTo(3L);

    assertThat(EventIndexing.commandEntry(key, null, headers)).isNull();
    assertThat(EventIndexing.commandEntry(key, new byte[] {1}, new RecordHeaders())).isNull();
    assertThat(EventIndexing.commandEntry(key, new byte[] {1}, null)).isNull();
    assertThat(EventIndexing.commandEntry("nope".getBytes(StandardCharsets.UTF_8),
        new byte[] {1}, headers)).isNull();
  }

  @Test
  void aCorruptValueSaysSo() {
    assertThatThrownBy(() -> IndexedEvent.decode(new byte[] {0, 9}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corrupt stream index value (2 bytes)");
  }
}
