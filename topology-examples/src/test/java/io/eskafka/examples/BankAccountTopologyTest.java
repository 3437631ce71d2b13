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
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregate processor under Kafka's TopologyTestDriver: every result kind, the dead-letter
 * topic, the event key format and partitioning by stream id.
 */
class BankAccountTopologyTest {

  private final AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("bank-account");
  private final AggregateTopics topics = aggregate.topics();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final CommandResultDecoder decoder = new CommandResultDecoder(topics, serde);
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> commands;
  private TestOutputTopic<String, byte[]> events;
  private TestOutputTopic<String, byte[]> results;
  private TestOutputTopic<byte[], byte[]> dlq;

  @BeforeEach
  void start() throws Exception {
    AggregateTestDriver ttd = AggregateTestDriver.start(aggregate, serde, stateDir);
    driver = ttd.driver();
    commands = ttd.commands();
    events = ttd.events();
    results = ttd.results();
    dlq = ttd.dlq();
  }

  @AfterEach
  void stop() throws Exception {
    driver.close();
  }

  @Test
  void acceptedCommandAppendsVersionedEventsAndAnswers() {
    String open = send("acc-1", new OpenAccount("Ada"), null);
    String deposit = send("acc-1", new Deposit(500L), null);

    List<TestRecord<String, byte[]>> appended = events.readRecordsToList();
    assertThat(appended).extracting(TestRecord::key)
        .containsExactly("acc-1@0000000000000000001", "acc-1@0000000000000000002");
    assertThat(decode(topics.events(), appended.get(0).value())).isEqualTo(new AccountOpened("Ada"));
    assertThat(decode(topics.events(), appended.get(1).value()))
        .isEqualTo(new MoneyDeposited(500L, 500L));
    Map<String, String> headers = headers(appended.get(1).headers());
    assertThat(headers).containsEntry(MessageHeaders.EVENT_TYPE, MoneyDeposited.getClassSchema().getFullName())
        .containsEntry(MessageHeaders.COMMAND_ID, deposit)
        .containsKeys(MessageHeaders.EVENT_ID, MessageHeaders.TIMESTAMP);

    List<CommandResult> answers = readResults();
    assertThat(answers).extracting(CommandResult::commandId).containsExactly(open, deposit);
    assertThat(answers.get(1).status()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(answers.get(1).version()).isEqualTo(2L);
    assertThat(answers.get(1).events()).hasSize(1);
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void rejectedCommandAppendsNothingAndSaysWhy() {
    send("acc-1", new OpenAccount("Ada"), null);
    events.readRecordsToList();
    readResults();

    send("acc-1", new Withdraw(100L), null);

    assertThat(events.isEmpty()).isTrue();
    CommandResult rejected = readResults().get(0);
    assertThat(rejected.status()).isEqualTo(CommandStatus.REJECTED);
    assertThat(rejected.reason()).isEqualTo("insufficient funds: balance 0, withdrawal 100");
    assertThat(rejected.version()).isEqualTo(1L);
  }

  @Test
  void staleExpectedVersionIsAConflict() {
    send("acc-1", new OpenAccount("Ada"), null);
    send("acc-1", new Deposit(1L), null);
    events.readRecordsToList();
    readResults();

    send("acc-1", new Deposit(1L), 1L);

    assertThat(events.isEmpty()).isTrue();
    CommandResult conflict = readResults().get(0);
    assertThat(conflict.status()).isEqualTo(CommandStatus.CONFLICT);
    assertThat(conflict.reason()).isEqualTo("expected version 1 but stream acc-1 is at version 2");
    assertThat(conflict.version()).isEqualTo(2L);

    send("acc-1", new Deposit(1L), 2L);
    assertThat(readResults().get(0).status()).isEqualTo(CommandStatus.ACCEPTED);
  }

  @Test
  void repeatedCommandIdGetsTheOriginalResultAndAppendsNothing() {
    send("acc-1", new OpenAccount("Ada"), null);
    String id = UUID.randomUUID().toString();
    pipe("acc-1", serde.serialize(topics.commands(), new Deposit(700L)), id, null);
    readResults();
    assertThat(events.readRecordsToList()).hasSize(2);

    pipe("acc-1", serde.serialize(topics.commands(), new Deposit(700L)), id, null);

    assertThat(events.isEmpty()).as("nothing appended for a duplicate").isTrue();
    CommandResult again = readResults().get(0);
    assertThat(again.commandId()).isEqualTo(id);
    assertThat(again.duplicate()).isTrue();
    assertThat(again.status()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(again.version()).isEqualTo(2L);
    assertThat(again.events()).hasSize(1);
  }

  @Test
  void undecodableValueGoesToTheDeadLetterTopicWithErrorHeaders() {
    String id = UUID.randomUUID().toString();
    pipe("acc-1", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8), id, null);

    TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("acc-1");
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{\"not\":\"avro\"}");
    Map<String, String> headers = headers(dead.headers());
    assertThat(headers)
        .containsEntry(MessageHeaders.DLQ_REASON, "undecodable value")
        .containsEntry(MessageHeaders.DLQ_SOURCE_TOPIC, topics.commands())
        .containsEntry(MessageHeaders.DLQ_SOURCE_PARTITION, "0")
        .containsEntry(MessageHeaders.DLQ_SOURCE_OFFSET, "0")
        .containsEntry(MessageHeaders.COMMAND_ID, id)
        .containsKeys(MessageHeaders.DLQ_EXCEPTION_CLASS, MessageHeaders.DLQ_EXCEPTION_MESSAGE);
    CommandResult failed = readResults().get(0);
    assertThat(failed.status()).isEqualTo(CommandStatus.FAILED);
    assertThat(failed.reason()).startsWith("undecodable value");
    assertThat(events.isEmpty()).isTrue();

    // The task is still alive and processing.
    send("acc-1", new OpenAccount("Ada"), null);
    assertThat(readResults().get(0).status()).isEqualTo(CommandStatus.ACCEPTED);
  }

  @Test
  void unknownCommandTypeAndNullKeyGoToTheDeadLetterTopic() {
    pipe("acc-1", serde.serialize(topics.commands(), new AccountOpened("not a command")), null, null);
    pipe(null, serde.serialize(topics.commands(), new OpenAccount("nobody")), null, null);

    List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).extracting(r -> headers(r.headers()).get(MessageHeaders.DLQ_REASON))
        .containsExactly(
            "unknown command type " + AccountOpened.getClassSchema().getFullName()
                + " for aggregate bank-account",
            "null key: commands must be keyed by stream id");
    assertThat(headers(dead.get(1).headers())).containsEntry(MessageHeaders.DLQ_SOURCE_OFFSET, "1");
    assertThat(events.isEmpty()).isTrue();
  }

  @Test
  void badExpectedVersionHeaderIsDeadLettered() {
    TestRecord<String, byte[]> record = new TestRecord<>("acc-1",
        serde.serialize(topics.commands(), new OpenAccount("Ada")));
    record.headers().add(MessageHeaders.EXPECTED_VERSION, "seven".getBytes(StandardCharsets.UTF_8));
    commands.pipeInput(record);

    assertThat(headers(dlq.readRecord().headers()))
        .containsEntry(MessageHeaders.DLQ_REASON, "invalid header " + MessageHeaders.EXPECTED_VERSION);
  }

  @Test
  void snapshotStoreHoldsTheLatestState() {
    send("acc-1", new OpenAccount("Ada"), null);
    send("acc-1", new Deposit(250L), null);
    send("acc-2", new OpenAccount("Bob"), null);

    var store = driver.<String, byte[]>getKeyValueStore("bank-account.snapshots");
    assertThat(store.get("acc-1")).isNotNull();
    assertThat(store.get("acc-2")).isNotNull();
    assertThat(store.get("acc-3")).isNull();
  }

  @Test
  void eventsArePartitionedByStreamIdExactlyLikeCommands() {
    // Commands are keyed by stream id and placed by the producer's built-in partitioner; events
    // must land on the same partition whatever their version.
    for (String streamId : List.of("acc-1", "acc-2", "x", "user@example.com", "ü-42")) {
      byte[] commandKey = streamId.getBytes(StandardCharsets.UTF_8);
      for (int partitions : List.of(1, 3, 6, 12)) {
        int commandPartition = BuiltInPartitioner.partitionForKey(commandKey, partitions);
        assertThat(EventKey.partitionOf(streamId, partitions)).isEqualTo(commandPartition);
      }
      EventKey key = new EventKey(streamId, 42);
      assertThat(EventKey.parse(key.format())).isEqualTo(key);
    }
  }

  @Test
  void eventKeysAreReadableAndSortByVersionWithinAStream() {
    List<String> keys = List.of(new EventKey("acc-1", 10).format(), new EventKey("acc-1", 9).format(),
        new EventKey("acc-1", 100).format());
    assertThat(keys.stream().sorted().collect(Collectors.toList())).containsExactly(
        "acc-1@0000000000000000009", "acc-1@0000000000000000010", "acc-1@0000000000000000100");
  }

  private String send(String streamId, SpecificRecord command, Long expectedVersion) {
    String id = UUID.randomUUID().toString();
    pipe(streamId, serde.serialize(topics.commands(), command), id, expectedVersion);
    return id;
  }

  private void pipe(String key, byte[] value, String commandId, Long expectedVersion) {
    Headers headers = new RecordHeaders();
    if (commandId != null) {
      headers.add(MessageHeaders.COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8));
    }
    if (expectedVersion != null) {
      headers.add(MessageHeaders.EXPECTED_VERSION,
          expectedVersion.toString().getBytes(StandardCharsets.UTF_8));
    }
    commands.pipeInput(new TestRecord<>(key, value, headers));
  }

  private SpecificRecord decode(String topic, byte[] value) {
    return serde.deserialize(topic, value);
  }

  private List<CommandResult> readResults() {
    return results.readRecordsToList().stream()
        .map(r -> decoder.decode(r.value()))
        .toList();
  }

  private static Map<String, String> headers(Headers headers) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Header h : headers) {
      out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
