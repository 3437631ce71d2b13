package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.GatewayOptions;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A restarted application (fresh state directory) restores its snapshots and its command-id
 * memory: from the snapshot changelog and from the event topic.
 */
class RestartIT {

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("restart-it");
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final AppOptions options = AppOptions.of(bootstrap, "restart-it-app");

  @Test
  void stateAndDedupeMemorySurviveARestartWithAnEmptyStateDir() throws Exception {
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(2, (short) 1));
    }
    CommandRequest deposit = CommandRequest.of("acc-r", new Deposit(4_200L));
    CommandResult first;
    try (AggregateApp<BankAccountState> app = start();
        CommandGateway gateway = gateway()) {
      assertThat(send(gateway, CommandRequest.of("acc-r", new OpenAccount("Rita"))).accepted()).isTrue();
      first = send(gateway, deposit);
      assertThat(first.version()).isEqualTo(2L);
    } // closes the app and deletes its temporary state dir

    try (AggregateApp<BankAccountState> app = start();
        CommandGateway gateway = gateway()) {
      BankAccountState restored = app.currentState("acc-r").orElseThrow().state();
      assertThat(restored.getBalanceCents()).isEqualTo(4_200L);
      assertThat(app.currentState("acc-r").orElseThrow().version()).isEqualTo(2L);

      CommandResult again = send(gateway, deposit);
      assertThat(again.duplicate()).isTrue();
      assertThat(again.version()).isEqualTo(first.version());
      assertThat(again.events()).isEqualTo(first.events());

      CommandResult next = send(gateway, CommandRequest.of("acc-r", new Deposit(1L)));
      assertThat(next.version()).isEqualTo(3L);
      assertThat(app.currentState("acc-r").orElseThrow().state().getBalanceCents()).isEqualTo(4_201L);
    }

    try (TopicReader events = new TopicReader(bootstrap, aggregate.topics().events(), true)) {
      assertThat(events.readAtLeast(3, Duration.ofSeconds(30))).hasSize(3);
    }
  }

  /**
   * After a restore the index holds the events up to the committed read-back position only; here
   * that position is moved back to the start while the application is down, so the restored index
   * is empty while the snapshot says v2. A command sent again must still be recognised (it waits
   * for its events to be read back), not appended a second time.
   */
  @Test
  void aCommandSentAgainWhileTheRestoredIndexLagsIsStillADuplicate() throws Exception {
    AggregateDefinition<BankAccountState> lagging = Demo.bankAccount("restart-lag-it");
    AppOptions lagOptions = AppOptions.of(bootstrap, "restart-lag-it-app");
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(lagging.topics().specs(2, (short) 1));
    }
    CommandRequest deposit = CommandRequest.of("acc-l", new Deposit(700L));
    CommandResult first;
    try (AggregateApp<BankAccountState> app = start(lagging, lagOptions);
        CommandGateway gateway = gateway(lagging)) {
      assertThat(send(gateway, CommandRequest.of("acc-l", new OpenAccount("Lia"))).accepted())
          .isTrue();
      first = send(gateway, deposit);
      assertThat(first.version()).isEqualTo(2L);
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap))) {
      admin.alterConsumerGroupOffsets(lagOptions.applicationId(), Map.of(
          new TopicPartition(lagging.topics().events(), 0), new OffsetAndMetadata(0L),
          new TopicPartition(lagging.topics().events(), 1), new OffsetAndMetadata(0L)))
          .all().get(30, TimeUnit.SECONDS);
    }

    try (AggregateApp<BankAccountState> app = start(lagging, lagOptions);
        CommandGateway gateway = gateway(lagging)) {
      CommandResult again = send(gateway, deposit);
      assertThat(again.duplicate()).isTrue();
      assertThat(again.version()).isEqualTo(2L);
      assertThat(again.events()).isEqualTo(first.events());

      CommandResult next = send(gateway, CommandRequest.of("acc-l", new Deposit(1L)));
      assertThat(next.version()).isEqualTo(3L);
    }
    try (TopicReader events = new TopicReader(bootstrap, lagging.topics().events(), true)) {
      assertThat(events.readAtLeast(3, Duration.ofSeconds(30))).hasSize(3);
    }
  }

  private AggregateApp<BankAccountState> start() throws Exception {
    return start(aggregate, options);
  }

  private AggregateApp<BankAccountState> start(AggregateDefinition<BankAccountState> definition,
      AppOptions appOptions) throws Exception {
    return AggregateApp.create(definition, serde, appOptions).start()
        .awaitRunning(Duration.ofSeconds(60));
  }

  private CommandGateway gateway() {
    return gateway(aggregate);
  }

  private CommandGateway gateway(AggregateDefinition<BankAccountState> definition) {
    return CommandGateway.connect(definition.topics(), serde,
        GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(60)));
  }

  private static CommandResult send(CommandGateway gateway, CommandRequest request) throws Exception {
    return gateway.send(request).get(90, TimeUnit.SECONDS);
  }
}
