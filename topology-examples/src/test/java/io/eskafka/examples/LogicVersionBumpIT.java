package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandResult;
import io.eskafka.client.GatewayOptions;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.internal.processor.CommandTopology;
import io.eskafka.internal.processor.SnapshotCodec;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.SnapshotRebuildStatus;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Bumping an aggregate's logic version on the embedded broker: snapshots written by the buggy
 * version 1 are rebuilt from the events while commands keep arriving; none is lost or wrongly
 * rejected, and the balances come out right.
 */
class LogicVersionBumpIT {

  private static final String NAME = "bump-it";
  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final AppOptions options = AppOptions.of(bootstrap, "bump-it-app");

  @Test
  void aNewLogicVersionRebuildsSnapshotsFromTheEventsWhileCommandsKeepFlowing() throws Exception {
    AggregateDefinition<BankAccountState> v1 = BankLogic.version(NAME, 1);
    AggregateDefinition<BankAccountState> v2 = BankLogic.version(NAME, 2);
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(v1.topics().specs(2, (short) 1));
    }
    List<String> busy = IntStream.range(0, 10).mapToObj(i -> "busy-" + i).toList();
    List<String> quiet = IntStream.range(0, 5).mapToObj(i -> "quiet-" + i).toList();

    try (AggregateApp<BankAccountState> app = start(v1);
        CommandGateway gateway = gateway()) {
      List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
      for (String account : concat(busy, quiet)) {
        sent.add(gateway.send(account, new OpenAccount(account)));
        sent.add(gateway.send(account, new Deposit(500L)));
        sent.add(gateway.send(account, new Deposit(300L)));
        sent.add(gateway.send(account, new Deposit(200L)));
      }
      allAccepted(sent);
      // The bug: version 1's evolve drops deposits, so its snapshots say 0 and refuse withdrawals.
      assertThat(app.currentState("busy-0").orElseThrow().state().getBalanceCents()).isZero();
      CommandResult refused = gateway.send("busy-0", new Withdraw(1L)).get(60, TimeUnit.SECONDS);
      assertThat(refused.summary()).startsWith("REJECTED v4: insufficient funds: balance 0");
    } // its temporary state dir is deleted: version 2 restores from the topics

    try (AggregateApp<BankAccountState> app = AggregateApp.create(v2, serde, options).start();
        CommandGateway gateway = gateway()) {
      // Commands arrive while the new version restores, sweeps and rebuilds.
      List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
      for (String account : busy) {
        sent.add(gateway.send(account, new Withdraw(300L)));
        sent.add(gateway.send(account, new Withdraw(200L)));
        sent.add(gateway.send(account, new Deposit(50L)));
      }
      app.awaitRunning(Duration.ofSeconds(60));
      List<CommandResult> results = allAccepted(sent);
      assertThat(results).hasSize(30);
      assertThat(results).extracting(CommandResult::version).containsOnly(5L, 6L, 7L);

      for (String account : busy) {
        assertThat(app.currentState(account).orElseThrow().state().getBalanceCents())
            .as(account).isEqualTo(1000L - 300L - 200L + 50L);
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(app.snapshotRebuildStatus().complete()).as("%s", app.snapshotRebuildStatus()).isTrue());
      SnapshotRebuildStatus status = app.snapshotRebuildStatus();
      assertThat(status.logicVersion()).isEqualTo(2);
      assertThat(status.waitingForIndex()).isZero();
      // Streams nobody wrote to were rebuilt by the sweep: their stored snapshots are version 2.
      SnapshotCodec codec = CommandTopology.snapshotCodec("bump-it-app", NAME, serde);
      for (String account : concat(busy, quiet)) {
        SnapshotCodec.Decoded<BankAccountState> snapshot = codec.decode(snapshots(app, account));
        assertThat(snapshot.logicVersion()).as(account).isEqualTo(2);
        assertThat(snapshot.state().getBalanceCents()).as(account)
            .isEqualTo(quiet.contains(account) ? 1000L : 550L);
      }
    }
  }

  private static byte[] snapshots(AggregateApp<BankAccountState> app, String account) {
    ReadOnlyKeyValueStore<String, byte[]> store = app.kafkaStreams().store(StoreQueryParameters
        .fromNameAndType(NAME + ".snapshots", QueryableStoreTypes.<String, byte[]>keyValueStore()));
    return store.get(account);
  }

  private static List<CommandResult> allAccepted(List<CompletableFuture<CommandResult>> sent)
      throws Exception {
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    List<CommandResult> results = new ArrayList<>();
    for (CompletableFuture<CommandResult> future : sent) {
      CommandResult result = future.get();
      assertThat(result.accepted()).as(result.streamId() + ": " + result.summary()).isTrue();
      results.add(result);
    }
    return results;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private AggregateApp<BankAccountState> start(AggregateDefinition<BankAccountState> aggregate)
      throws Exception {
    return AggregateApp.create(aggregate, serde, options).start()
        .awaitRunning(Duration.ofSeconds(60));
  }

  private CommandGateway gateway() {
    return CommandGateway.connect(BankLogic.version(NAME, 1).topics(), serde,
        GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(90)));
  }

}
