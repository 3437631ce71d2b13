package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandResultDecoder;
import io.eskafka.client.CommandStatus;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.state.AccountStatus;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.internal.index.IndexedEvent;
import io.eskafka.internal.index.StreamIndexReader;
import io.eskafka.internal.processor.CommandTopology;
import io.eskafka.internal.processor.SnapshotCodec;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-stream index, snapshot rebuilds for a new logic version (including commands parked
 * while the index is behind) and stream deletion, under Kafka's TopologyTestDriver.
 */
class StreamIndexTopologyTest {

  private static final String NAME = "bank-account";
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final AggregateTopics topics = AggregateTopics.of(NAME);
  private final CommandResultDecoder decoder = new CommandResultDecoder(topics, serde);
  private final SnapshotCodec snapshotCodec = CommandTopology.snapshotCodec("ttd", NAME, serde);
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> commands;
  private TestInputTopic<String, byte[]> eventsIn;
  private TestOutputTopic<String, byte[]> events;
  private TestOutputTopic<String, byte[]> results;

  private void start(AggregateDefinition<BankAccountState> aggregate) {
    AggregateTestDriver ttd = AggregateTestDriver.start(aggregate, serde, stateDir);
    driver = ttd.driver();
    commands = ttd.commands();
    eventsIn = ttd.eventsIn();
    events = ttd.events();
    results = ttd.results();
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void aStreamReadIsExactEvenWhenOtherStreamIdsExtendItsIdWithAt() {
    start(Demo.bankAccount(NAME));
    // EventKey keys of "acc@5" (acc@5@000…1) sort between acc@000…1 and acc@999…9: a range over
    // raw event keys would return them for "acc". The index key layout must not.
    for (String stream : List.of("acc", "acc@5", "acc@x", "ac", "acc5")) {
      send(stream, new OpenAccount("owner of " + stream));
    }
    send("acc", new Deposit(100L));
    send("acc", new Deposit(200L));
    send("acc@5", new Deposit(7L));

    assertThat(versions("acc")).containsExactly(1L, 2L, 3L);
    assertThat(versions("acc@5")).containsExactly(1L, 2L);
    assertThat(versions("acc@x")).containsExactly(1L);
    assertThat(versions("ac")).containsExactly(1L);
    assertThat(versions("nobody")).isEmpty();
    assertThat(StreamIndexReader.head(index(), "acc")).isEqualTo(3L);
    List<IndexedEvent> acc = new ArrayList<>();
    StreamIndexReader.forEach(index(), "acc", 2L, 3L, (event, version) -> acc.add(event));
    assertThat(acc).extracting(IndexedEvent::type).containsOnly(
        MoneyDeposited.getClassSchema().getFullName());
    assertThat(acc).allSatisfy(e -> assertThat(e.eventId()).isNotEmpty());
    assertThat(serde.deserialize(topics.events(), acc.get(1).payload()))
        .isEqualTo(new MoneyDeposited(200L, 300L));
  }

  @Test
  void deletingAStreamTombstonesItsEventsAndSnapshotAndRejectsLaterCommands() {
    start(Demo.bankAccount(NAME));
    send("acc-1", new OpenAccount("Ada"));
    send("acc-1", new Deposit(100L));
    send("acc-1", new Deposit(5L));
    send("acc-2", new OpenAccount("Bob"));
    events.readRecordsToList();
    results.readRecordsToList();

    String deleteId = control("acc-1");

    List<TestRecord<String, byte[]>> tombstones = events.readRecordsToList();
    assertThat(tombstones).extracting(TestRecord::key).containsExactly(
        new EventKey("acc-1", 1).format(), new EventKey("acc-1", 2).format(),
        new EventKey("acc-1", 3).format());
    assertThat(tombstones).allSatisfy(t -> assertThat(t.value()).isNull());
    CommandResult deleted = decoder.decode(results.readValue());
    assertThat(deleted.commandId()).isEqualTo(deleteId);
    assertThat(deleted.status()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(deleted.version()).isEqualTo(3L);
    assertThat(driver.<String, byte[]>getKeyValueStore(NAME + ".snapshots").get("acc-1")).isNull();
    assertThat(versions("acc-1")).isEmpty();
    assertThat(versions("acc-2")).containsExactly(1L);

    send("acc-1", new OpenAccount("Eve"));
    CommandResult after = decoder.decode(results.readValue());
    assertThat(after.status()).isEqualTo(CommandStatus.REJECTED);
    assertThat(after.reason()).startsWith("stream acc-1 was deleted at ");
    assertThat(events.isEmpty()).isTrue();

    // A repeated delete is answered without appending anything; other streams carry on.
    control("acc-1");
    assertThat(decoder.decode(results.readValue()).status()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(events.isEmpty()).isTrue();
    send("acc-2", new Deposit(1L));
    assertThat(decoder.decode(results.readValue()).accepted()).isTrue();
  }

  @Test
  void aSnapshotOfAnOlderLogicVersionIsRebuiltFromTheIndexBeforeACommandUsesIt() {
    start(BankLogic.version(NAME, 2));
    appendEvents("acc-9", new AccountOpened("Ada"), new MoneyDeposited(1000L, 1000L));
    staleSnapshot("acc-9", 2, 0L); // version 1 logic lost the deposit

    send("acc-9", new Withdraw(300L));

    CommandResult withdrawn = decoder.decode(results.readValue());
    assertThat(withdrawn.summary()).startsWith("ACCEPTED v3");
    SnapshotCodec.Decoded<BankAccountState> snapshot = snapshot("acc-9");
    assertThat(snapshot.logicVersion()).isEqualTo(2);
    assertThat(snapshot.state().getBalanceCents()).isEqualTo(700L);
  }

  @Test
  void commandsWaitInOrderWhileTheIndexIsBehindAStaleSnapshot() {
    start(BankLogic.version(NAME, 2));
    // As after a restore: the snapshot (its own changelog) is at v2, but the events v1 and v2 have
    // not been read back from the event topic yet.
    staleSnapshot("acc-9", 2, 0L);

    String withdraw = send("acc-9", new Withdraw(300L));
    String deposit = send("acc-9", new Deposit(1L));
    // Other streams are not held up. (A command that appends nothing: the task is its event
    // partition's only writer, so events it appends come after every event written before it
    // started, and once those are back the index no longer lags; the events of acc-9 below stand
    // for ones written before it started.)
    send("acc-8", new Deposit(5L));
    List<CommandResult> early = readResults();
    assertThat(early).extracting(CommandResult::streamId).containsExactly("acc-8");
    assertThat(early.get(0).status()).isEqualTo(CommandStatus.REJECTED);

    appendEvents("acc-9", new AccountOpened("Ada"));
    assertThat(results.isEmpty()).isTrue(); // v2 still missing
    appendEvents("acc-9", 2, new MoneyDeposited(1000L, 1000L));

    List<CommandResult> resumed = readResults();
    assertThat(resumed).extracting(CommandResult::commandId).containsExactly(withdraw, deposit);
    assertThat(resumed).extracting(CommandResult::summary).satisfiesExactly(
        s -> assertThat(s).startsWith("ACCEPTED v3"), s -> assertThat(s).startsWith("ACCEPTED v4"));
    assertThat(snapshot("acc-9").state().getBalanceCents()).isEqualTo(701L);
    assertThat(snapshot("acc-9").logicVersion()).isEqualTo(2);
  }

  @Test
  void theSweepRebuildsStaleSnapshotsOfStreamsNobodyWritesTo() {
    start(BankLogic.version(NAME, 2));
    appendEvents("quiet", new AccountOpened("Ada"), new MoneyDeposited(40L, 40L));
    staleSnapshot("quiet", 2, 0L);

    driver.advanceWallClockTime(Duration.ofSeconds(2));

    assertThat(snapshot("quiet").logicVersion()).isEqualTo(2);
    assertThat(snapshot("quiet").state().getBalanceCents()).isEqualTo(40L);
    assertThat(results.isEmpty()).isTrue();
  }

  private void staleSnapshot(String streamId, long version, long balance) {
    driver.<String, byte[]>getKeyValueStore(NAME + ".snapshots").put(streamId,
        snapshotCodec.encode(version, 1, new BankAccountState(AccountStatus.OPEN, "Ada", balance),
            Instant.now()));
  }

  private SnapshotCodec.Decoded<BankAccountState> snapshot(String streamId) {
    return snapshotCodec.decode(
        driver.<String, byte[]>getKeyValueStore(NAME + ".snapshots").get(streamId));
  }

  private void appendEvents(String streamId, SpecificRecord... appended) {
    long next = StreamIndexReader.head(index(), streamId) + 1;
    appendEvents(streamId, next, appended);
  }

  private void appendEvents(String streamId, long firstVersion, SpecificRecord... appended) {
    long version = firstVersion;
    for (SpecificRecord event : appended) {
      Headers headers = new RecordHeaders();
      headers.add(MessageHeaders.EVENT_TYPE,
          event.getSchema().getFullName().getBytes(StandardCharsets.UTF_8));
      headers.add(MessageHeaders.EVENT_ID,
          UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
      eventsIn.pipeInput(new TestRecord<>(new EventKey(streamId, version++).format(),
          serde.serialize(topics.events(), event), headers));
    }
  }

  private KeyValueStore<Bytes, byte[]> index() {
    return driver.getKeyValueStore(NAME + ".stream-index");
  }

  private List<Long> versions(String streamId) {
    List<Long> out = new ArrayList<>();
    StreamIndexReader.forEach(index(), streamId, 1L, Long.MAX_VALUE,
        (event, version) -> out.add(version));
    return out;
  }

  private String send(String streamId, SpecificRecord command) {
    String id = UUID.randomUUID().toString();
    Headers headers = new RecordHeaders();
    headers.add(MessageHeaders.COMMAND_ID, id.getBytes(StandardCharsets.UTF_8));
    commands.pipeInput(new TestRecord<>(streamId, serde.serialize(topics.commands(), command),
        headers));
    return id;
  }

  private String control(String streamId) {
    String id = UUID.randomUUID().toString();
    Headers headers = new RecordHeaders();
    headers.add(MessageHeaders.COMMAND_ID, id.getBytes(StandardCharsets.UTF_8));
    headers.add(MessageHeaders.CONTROL,
        MessageHeaders.CONTROL_DELETE_STREAM.getBytes(StandardCharsets.UTF_8));
    commands.pipeInput(new TestRecord<>(streamId, new byte[0], headers));
    return id;
  }

  private List<CommandResult> readResults() {
    return results.readRecordsToList().stream().map(r -> decoder.decode(r.value())).toList();
  }
}
