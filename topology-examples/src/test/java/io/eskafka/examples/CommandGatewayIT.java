package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandTimeoutException;
import io.eskafka.client.GatewayOptions;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The gateway's failure modes: no application answering, closing with commands pending. */
class CommandGatewayIT {

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("gateway-it");
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());

  @Test
  void aCommandNobodyAnswersFailsWithATimeoutThatSaysWhatToCheck() throws Exception {
    createTopics();
    try (CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
        GatewayOptions.of(bootstrap).withTimeout(Duration.ofMillis(500)))) {
      CompletableFuture<CommandResult> result = gateway.send("acc-t", new OpenAccount("Tim"));

      assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(CommandTimeoutException.class)
          .hasMessageContaining("no result for command")
          .hasMessageContaining("(stream acc-t) on gateway-it.command-results within 500 ms")
          .hasMessageContaining("is the aggregate application running?");
    }
  }

  @Test
  void closingFailsPendingCommandsAndRefusesNewOnes() throws Exception {
    createTopics();
    CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
        GatewayOptions.of(bootstrap).withTimeout(Duration.ofMinutes(5)));
    CompletableFuture<CommandResult> pending = gateway.send("acc-c", new OpenAccount("Cy"));

    gateway.close();
    gateway.close(); // idempotent

    assertThat(pending).isCompletedExceptionally();
    assertThatThrownBy(pending::join).hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gateway closed before a result");
    assertThatThrownBy(() -> gateway.send("acc-c", new OpenAccount("Cy")).join())
        .hasMessageContaining("gateway is closed");
  }

  @Test
  void connectingToMissingTopicsSaysSo() {
    AggregateTopics missing = AggregateTopics.of("gateway-it-missing");
    assertThatThrownBy(() -> CommandGateway.connect(missing, serde,
        GatewayOptions.of(bootstrap).withKafkaOverrides(
            java.util.Map.of("default.api.timeout.ms", "3000"))))
        .hasMessageContaining("gateway-it-missing.command-results");
  }

  private void createTopics() {
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(1, (short) 1));
    }
  }
}
