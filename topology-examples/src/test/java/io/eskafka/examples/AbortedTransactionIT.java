package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandResult;
import io.eskafka.client.GatewayOptions;
import io.eskafka.decider.Decision;
import io.eskafka.decider.TypedDecider;
import io.eskafka.examples.bank.BankAccount;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A stream thread dies in the middle of a transaction whose events already reached the broker: a
 * read_uncommitted reader sees the aborted copy, a read_committed reader never does, and the
 * command is applied exactly once when the replacement thread processes it again.
 */
class AbortedTransactionIT {

  /** Thrown once, from inside a transaction, to kill the stream thread. */
  static final class InjectedCrash extends Error {
    InjectedCrash() {
      super("injected crash (test)");
    }
  }

  /** The bank decider, except that a deposit of 13 cents crashes the thread the first time. */
  record CrashOnce(TypedDecider<SpecificRecord, SpecificRecord, BankAccountState> delegate,
      AtomicBoolean armed) implements TypedDecider<SpecificRecord, SpecificRecord, BankAccountState> {
    @Override
    public BankAccountState initialState() {
      return delegate.initialState();
    }

    @Override
    public Decision<SpecificRecord> decide(SpecificRecord command, BankAccountState state) {
      if (command instanceof Deposit d && d.getAmountCents() == 13L && armed.getAndSet(false)) {
        throw new InjectedCrash();
      }
      return delegate.decide(command, state);
    }

    @Override
    public BankAccountState evolve(BankAccountState state, SpecificRecord event) {
      return delegate.evolve(state, event);
    }

    @Override
    public Set<Class<? extends SpecificRecord>> commandTypes() {
      return delegate.commandTypes();
    }

    @Override
    public Set<Class<? extends SpecificRecord>> eventTypes() {
      return delegate.eventTypes();
    }
  }

  @Test
  void readCommittedConsumersNeverSeeEventsOfAnAbortedTransaction() throws Exception {
    String bootstrap = EmbeddedKafka.shared().bootstrapServers();
    AtomicBoolean armed = new AtomicBoolean(true);
    AggregateDefinition<BankAccountState> aggregate = AggregateDefinition.of("abort-it",
        new CrashOnce(BankAccount.decider(), armed));
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(1, (short) 1));
    }
    AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
    // A long commit interval keeps the deposit below in an open transaction while we look at it.
    // The dead thread's consumer does not leave the group; a short session lets the replacement
    // take over in seconds rather than after the default 45 s.
    AppOptions options = AppOptions.of(bootstrap, "abort-it-app")
        .withCommitInterval(Duration.ofSeconds(8))
        .withKafkaOverrides(Map.of("consumer.session.timeout.ms", "6000",
            "consumer.heartbeat.interval.ms", "1000"));
    String firstDepositKey = new EventKey("acc-x", 2).format();

    try (AggregateApp<BankAccountState> app =
            AggregateApp.create(aggregate, serde, options).start().awaitRunning(Duration.ofSeconds(60));
        CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
            GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(90)));
        TopicReader uncommitted = new TopicReader(bootstrap, aggregate.topics().events(), false)) {
      assertThat(gateway.send("acc-x", new OpenAccount("Xavier")).get(90, TimeUnit.SECONDS).accepted())
          .isTrue();

      CompletableFuture<CommandResult> deposit = gateway.send("acc-x", new Deposit(100L));
      // The deposit's event is in the log, not yet committed: its result is not visible either.
      uncommitted.readUntil(records -> count(records, firstDepositKey) == 1, Duration.ofSeconds(30));
      assertThat(deposit).isNotDone();

      CompletableFuture<CommandResult> crash = gateway.send("acc-x", new Deposit(13L));

      // After the crash the open transaction is aborted and both commands are processed again.
      assertThat(deposit.get(90, TimeUnit.SECONDS).version()).isEqualTo(2L);
      assertThat(crash.get(90, TimeUnit.SECONDS).version()).isEqualTo(3L);
      assertThat(armed).isFalse();
      List<ConsumerRecord<byte[], byte[]>> raw =
          uncommitted.readUntil(records -> count(records, firstDepositKey) == 2, Duration.ofSeconds(30));
      assertThat(count(raw, firstDepositKey)).as("aborted copy + committed copy").isEqualTo(2);
      assertThat(app.currentState("acc-x").orElseThrow().state().getBalanceCents()).isEqualTo(113L);
    }

    try (TopicReader committed = new TopicReader(bootstrap, aggregate.topics().events(), true)) {
      List<ConsumerRecord<byte[], byte[]>> seen = committed.readAtLeast(3, Duration.ofSeconds(30));
      assertThat(seen).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly(
          new EventKey("acc-x", 1).format(), firstDepositKey, new EventKey("acc-x", 3).format());
    }
  }

  private static long count(List<ConsumerRecord<byte[], byte[]>> records, String key) {
    return records.stream()
        .filter(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .count();
  }
}
