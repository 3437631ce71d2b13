package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandResultDecoder;
import io.eskafka.client.CommandStatus;
import io.eskafka.decider.Decision;
import io.eskafka.decider.DeciderBuilder;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.state.AccountStatus;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-id memory under Kafka's TopologyTestDriver: a command that appended events is
 * remembered by the per-stream index and its original result rebuilt from the events, including
 * when the index has not read them back yet (as after a restore); a command that appended nothing
 * is remembered with its result.
 */
class CommandIdMemoryTopologyTest {

  private static final String NAME = "split-account";
  /** Deposits are appended as two events (two halves), so a result carries several events. */
  private final AggregateDefinition<BankAccountState> aggregate =
      AggregateDefinition.of(NAME, DeciderBuilder.create(SpecificRecord.class,
              SpecificRecord.class, () -> new BankAccountState(AccountStatus.NOT_OPENED, null, 0L))
          .commands(OpenAccount.class, Deposit.class)
          .events(AccountOpened.class, MoneyDeposited.class)
          .onCommand(OpenAccount.class, (open, s) -> s.getStatus() != AccountStatus.NOT_OPENED
              ? Decision.reject("account already opened")
              : Decision.accept(new AccountOpened(open.getOwner())))
          .onCommand(Deposit.class, (deposit, s) -> {
            long half = deposit.getAmountCents() / 2;
            long rest = deposit.getAmountCents() - half;
            return Decision.accept(new MoneyDeposited(half, s.getBalanceCents() + half),
                new MoneyDeposited(rest, s.getBalanceCents() + half + rest));
          })
          .onEvent(AccountOpened.class, (s, e) -> BankAccountState.newBuilder(s)
              .setStatus(AccountStatus.OPEN).setOwner(e.getOwner()).build())
          .onEvent(MoneyDeposited.class, (s, e) -> BankAccountState.newBuilder(s)
              .setBalanceCents(e.getBalanceCents()).build())
          .build());
  private final AggregateTopics topics = aggregate.topics();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final CommandResultDecoder decoder = new CommandResultDecoder(topics, serde);
  @TempDir Path stateDir;
  private AggregateTestDriver ttd;

  private void start(Path dir) {
    ttd = AggregateTestDriver.start(aggregate, serde, dir);
  }

  @AfterEach
  void stop() {
    if (ttd != null) {
      ttd.close();
    }
  }

  @Test
  void aCommandSentAgainGetsAllItsEventsBackAndAppendsNothing() {
    start(stateDir);
    send("acc-1", new OpenAccount("Ada"), UUID.randomUUID().toString());
    String id = UUID.randomUUID().toString();
    send("acc-1", new Deposit(701L), id);
    List<CommandResult> first = readResults();
    ttd.events().readRecordsToList();

    send("acc-1", new Deposit(701L), id);

    assertThat(ttd.events().isEmpty()).as("nothing appended for a duplicate").isTrue();
    CommandResult original = first.get(1);
    CommandResult again = readResults().get(0);
    assertThat(again.duplicate()).isTrue();
    assertThat(again.status()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(again.version()).isEqualTo(3L);
    assertThat(again.events()).hasSize(2).isEqualTo(original.events());
    assertThat(again.decidedAt()).isEqualTo(original.decidedAt());
    assertThat(again.commandId()).isEqualTo(id);
    assertThat(again.streamId()).isEqualTo("acc-1");
  }

  @Test
  void aCommandThatAppendedNothingIsRememberedWithItsResult() {
    start(stateDir);
    send("acc-1", new OpenAccount("Ada"), UUID.randomUUID().toString());
    String id = UUID.randomUUID().toString();
    send("acc-1", new OpenAccount("Bob"), id);
    CommandResult rejected = readResults().get(1);
    assertThat(rejected.status()).isEqualTo(CommandStatus.REJECTED);

    send("acc-1", new OpenAccount("Bob"), id);

    CommandResult again = readResults().get(0);
    assertThat(again.duplicate()).isTrue();
    assertThat(again.status()).isEqualTo(CommandStatus.REJECTED);
    assertThat(again.reason()).isEqualTo(rejected.reason());
  }

  @Test
  void aCommandSentAgainBeforeItsEventsAreReadBackWaitsForThemThenGetsItsResult(
      @TempDir Path secondStateDir) {
    // First life: the account is opened and a deposit appends two events.
    start(stateDir);
    send("acc-7", new OpenAccount("Ada"), UUID.randomUUID().toString());
    String id = UUID.randomUUID().toString();
    send("acc-7", new Deposit(500L), id);
    CommandResult original = readResults().get(1);
    List<TestRecord<String, byte[]>> appended = ttd.events().readRecordsToList();
    byte[] snapshot =
        ttd.driver().<String, byte[]>getKeyValueStore(NAME + ".snapshots").get("acc-7");
    ttd.close();

    // Second life, as after a restore: the snapshot (its own changelog) is back at v3, but none of
    // the events has been read back from the event topic yet, so neither has the command's id.
    start(secondStateDir);
    ttd.driver().<String, byte[]>getKeyValueStore(NAME + ".snapshots").put("acc-7", snapshot);

    send("acc-7", new Deposit(500L), id); // sent again: must not append a second time
    String next = UUID.randomUUID().toString();
    send("acc-7", new Deposit(2L), next); // behind it, in order
    assertThat(ttd.results().isEmpty()).as("both wait for the events").isTrue();
    assertThat(ttd.events().isEmpty()).isTrue();

    for (TestRecord<String, byte[]> event : appended) {
      ttd.eventsIn().pipeInput(event); // read back, as the task does from the event topic
    }

    List<CommandResult> resumed = readResults();
    assertThat(resumed).extracting(CommandResult::commandId).containsExactly(id, next);
    assertThat(resumed.get(0).duplicate()).isTrue();
    assertThat(resumed.get(0).version()).isEqualTo(3L);
    assertThat(resumed.get(0).events()).isEqualTo(original.events());
    assertThat(resumed.get(1).duplicate()).isFalse();
    assertThat(resumed.get(1).version()).isEqualTo(5L);
    assertThat(ttd.events().readRecordsToList()).extracting(TestRecord::key)
        .containsExactly("acc-7@0000000000000000004", "acc-7@0000000000000000005");
  }

  private void send(String streamId, SpecificRecord command, String commandId) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(MessageHeaders.COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8));
    ttd.commands().pipeInput(new TestRecord<>(streamId,
        serde.serialize(topics.commands(), command), headers));
  }

  private List<CommandResult> readResults() {
    List<CommandResult> out = new ArrayList<>();
    while (!ttd.results().isEmpty()) {
      out.add(decoder.decode(ttd.results().readValue()));
    }
    return out;
  }
}
