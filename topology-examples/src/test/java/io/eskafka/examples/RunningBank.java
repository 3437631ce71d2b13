package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.GatewayOptions;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;

/** A bank-account aggregate running on the shared broker, with a gateway, for projection tests. */
final class RunningBank implements AutoCloseable {

  final AggregateDefinition<BankAccountState> aggregate;
  private final AggregateApp<BankAccountState> app;
  private final CommandGateway gateway;

  RunningBank(String bootstrap, String name, int partitions, AvroSerde serde) throws Exception {
    aggregate = Demo.bankAccount(name);
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(partitions, (short) 1));
    }
    app = AggregateApp.create(aggregate, serde, AppOptions.of(bootstrap, name + "-app")).start()
        .awaitRunning(Duration.ofSeconds(60));
    gateway = CommandGateway.connect(aggregate.topics(), serde,
        GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(60)));
  }

  String eventTopic() {
    return aggregate.topics().events();
  }

  /** Sends a command and returns its result, whatever it is. */
  CommandResult send(String streamId, SpecificRecord command) throws Exception {
    return gateway.send(CommandRequest.of(streamId, command)).get(90, TimeUnit.SECONDS);
  }

  /** Sends a command that must be accepted. */
  CommandResult accept(String streamId, SpecificRecord command) throws Exception {
    CommandResult result = send(streamId, command);
    assertThat(result.accepted()).as("%s on %s: %s", command, streamId, result.summary()).isTrue();
    return result;
  }

  @Override
  public void close() {
    gateway.close();
    app.close();
  }
}
