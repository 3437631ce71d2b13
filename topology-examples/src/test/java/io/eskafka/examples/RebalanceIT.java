package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;

/**
 * Partitions move between two instances of one application: the command-id memory and the
 * snapshots move with them (restored from the changelogs), so re-sent commands are still answered
 * with their original results and nothing is appended twice.
 */
class RebalanceIT {

  private static final int STREAMS = 8;

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("rebalance-it");
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final AppOptions options = AppOptions.of(bootstrap, "rebalance-it-app");

  @Test
  void dedupeMemoryAndStateFollowThePartitions() throws Exception {
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(4, (short) 1));
    }
    List<CommandRequest> opens = new ArrayList<>();
    List<CommandRequest> deposits = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      opens.add(CommandRequest.of("acc-" + i, new OpenAccount("owner-" + i)));
      deposits.add(CommandRequest.of("acc-" + i, new Deposit(100L + i)));
    }

    try (CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
        GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(90)))) {
      AggregateApp<BankAccountState> first = start();
      try (AggregateApp<BankAccountState> second = start()) {
        for (CommandRequest open : opens) {
          assertThat(send(gateway, open).version()).isEqualTo(1L);
        }
        // A second instance joins: the four partitions are split between the two.
        await().atMost(Duration.ofSeconds(60)).until(() ->
            activeTasks(first) > 0 && activeTasks(second) > 0
                && activeTasks(first) + activeTasks(second) == 4);
        for (CommandRequest open : opens) {
          CommandResult again = send(gateway, open);
          assertThat(again.duplicate()).as("re-sent %s", open.streamId()).isTrue();
          assertThat(again.version()).isEqualTo(1L);
        }
        for (CommandRequest deposit : deposits) {
          assertThat(send(gateway, deposit).version()).isEqualTo(2L);
        }

        // The first instance stops: the second takes over every partition.
        first.close();
        await().atMost(Duration.ofSeconds(60)).until(() -> activeTasks(second) == 4);
        for (CommandRequest deposit : deposits) {
          CommandResult again = send(gateway, deposit);
          assertThat(again.duplicate()).as("re-sent %s", deposit.streamId()).isTrue();
          assertThat(again.version()).isEqualTo(2L);
        }
        for (int i = 0; i < STREAMS; i++) {
          String stream = "acc-" + i;
          long balance = 100L + i;
          await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
              assertThat(second.currentState(stream).orElseThrow().state().getBalanceCents())
                  .isEqualTo(balance));
        }
      } finally {
        first.close();
      }
    }
    try (TopicReader events = new TopicReader(bootstrap, aggregate.topics().events(), true)) {
      assertThat(events.readAtLeast(2 * STREAMS, Duration.ofSeconds(30))).hasSize(2 * STREAMS);
    }
  }

  private AggregateApp<BankAccountState> start() throws Exception {
    return AggregateApp.create(aggregate, serde, options).start().awaitRunning(Duration.ofSeconds(60));
  }

  private static int activeTasks(AggregateApp<?> app) {
    return app.kafkaStreams().metadataForLocalThreads().stream()
        .mapToInt(thread -> ((ThreadMetadata) thread).activeTasks().size())
        .sum();
  }

  private static CommandResult send(CommandGateway gateway, CommandRequest request) throws Exception {
    return gateway.send(request).get(90, TimeUnit.SECONDS);
  }
}
