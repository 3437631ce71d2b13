package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.GatewayOptions;
import io.eskafka.client.StoredEvent;
import io.eskafka.client.StreamOwner;
import io.eskafka.client.StreamState;
import io.eskafka.client.StreamTrace;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.internal.index.StreamIndexReader;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.StreamNotLocalException;
import io.eskafka.kafka.StreamQueries;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Stream queries on the embedded broker: a 1,000-event stream read from the local index only,
 * state at a version and at a time, the index restored from the event topic into an empty state
 * directory, read-your-writes, and owner metadata across two instances.
 */
class StreamQueriesIT {

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());

  @Test
  void aThousandEventStreamIsReadInOrderFromTheLocalIndexAndSurvivesAnEmptyStateDir()
      throws Exception {
    AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("queries-it");
    topics(aggregate, 1);
    AppOptions options = AppOptions.of(bootstrap, "queries-it-app");
    Instant beforeDeposits;
    Instant afterHalf;
    try (AggregateApp<BankAccountState> app = start(aggregate, options);
        CommandGateway gateway = gateway(aggregate)) {
      accept(gateway, "long", new OpenAccount("Ada"));
      accept(gateway, "other", new OpenAccount("Bob"));
      beforeDeposits = Instant.now();
      sendAll(gateway, "long", 1, 499);
      afterHalf = Instant.now();
      // Another stream's 300 events in the same partition, interleaved with the rest.
      List<CompletableFuture<CommandResult>> more = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        more.add(gateway.send("other", new Deposit(1L)));
        more.add(gateway.send("long", new Deposit(500L + i)));
      }
      CompletableFuture.allOf(more.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      CommandResult last = sendAll(gateway, "long", 800, 999);
      assertThat(last.version()).isEqualTo(1000L);

      StreamQueries<BankAccountState> queries = app.queries();
      queries.awaitVersion("long", 1000L, Duration.ofSeconds(30));
      List<StoredEvent> events = queries.events("long");
      assertThat(events).hasSize(1000);
      assertThat(events).extracting(StoredEvent::version)
          .containsExactlyElementsOf(IntStream.rangeClosed(1, 1000).mapToObj(v -> (long) v).toList());
      assertThat(events.get(0).event()).isEqualTo(new AccountOpened("Ada"));
      assertThat(events.get(999).event()).isInstanceOf(MoneyDeposited.class);
      assertThat(events).allSatisfy(e -> assertThat(e.eventId()).isNotEmpty());
      assertThat(queries.events("long", 10, 12)).extracting(StoredEvent::version)
          .containsExactly(10L, 11L, 12L);

      // No scan: the read is one range over the local index and visits exactly the stream's
      // 1,000 entries, while the partition's index also holds the other stream's 301.
      CountingStore index = new CountingStore(app.kafkaStreams().store(StoreQueryParameters
          .fromNameAndType("queries-it.stream-index",
              QueryableStoreTypes.<Bytes, byte[]>keyValueStore()).withPartition(0)));
      assertThat(StreamIndexReader.forEach(index, "long", 1, Long.MAX_VALUE, (e, v) -> { }))
          .isEqualTo(1000L);
      assertThat(index.ranges).isEqualTo(1);
      assertThat(index.visited).isEqualTo(1000L);
      assertThat(index.approximateNumEntries()).isGreaterThanOrEqualTo(1301L);

      // State at a version, at a time, and now; the trace agrees.
      assertThat(queries.stateAt("long", 1L).orElseThrow().state().getBalanceCents()).isZero();
      long at500 = 499L * 100;
      assertThat(queries.stateAt("long", 500L).orElseThrow().state().getBalanceCents())
          .isEqualTo(at500);
      StreamState<BankAccountState> halfWay = queries.stateAt("long", afterHalf).orElseThrow();
      assertThat(halfWay.version()).isEqualTo(500L);
      assertThat(halfWay.state().getBalanceCents()).isEqualTo(at500);
      assertThat(queries.stateAt("long", beforeDeposits).orElseThrow().version()).isEqualTo(1L);
      assertThat(queries.stateAt("long", Instant.EPOCH)).isEmpty();
      assertThat(queries.stateAt("long", 1001L)).isEmpty();
      StreamState<BankAccountState> now = queries.currentState("long").orElseThrow();
      assertThat(now.version()).isEqualTo(1000L);
      assertThat(queries.stateAt("long", 1000L).orElseThrow().state()).isEqualTo(now.state());
      StreamTrace<BankAccountState> trace = queries.trace("long");
      assertThat(trace.steps()).hasSize(1000);
      assertThat(trace.steps().get(499).stateAfter().getBalanceCents()).isEqualTo(at500);
      assertThat(trace.steps().get(999).stateAfter()).isEqualTo(now.state());
    } // closes the app and deletes its state dir

    try (AggregateApp<BankAccountState> app = start(aggregate, options)) {
      StreamQueries<BankAccountState> queries = app.queries();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> queries.version("long") == 1000L);
      List<StoredEvent> restored = queries.events("long");
      assertThat(restored).hasSize(1000);
      assertThat(restored.get(0).type()).isEqualTo(AccountOpened.getClassSchema().getFullName());
      assertThat(restored.get(0).eventId()).isNotEmpty();
      assertThat(queries.stateAt("long", 500L).orElseThrow().state().getBalanceCents())
          .isEqualTo(499L * 100);
      assertThat(queries.events("other")).hasSize(301);
    }
    // The index has no changelog topic of its own: the event topic is its changelog.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertThat(names).contains("queries-it-app-queries-it.snapshots-changelog")
          .noneMatch(name -> name.contains("stream-index"));
    }
  }

  @Test
  void readYourWritesWaitsForTheVersionOfACommandResult() throws Exception {
    AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("ryw-it");
    topics(aggregate, 2);
    try (AggregateApp<BankAccountState> app = start(aggregate, AppOptions.of(bootstrap, "ryw-it-app"));
        CommandGateway gateway = gateway(aggregate)) {
      accept(gateway, "acc-1", new OpenAccount("Ada"));
      CommandResult deposited = accept(gateway, "acc-1", new Deposit(250L));

      long seen = app.queries().awaitVersion("acc-1", deposited.version(), Duration.ofSeconds(10));
      assertThat(seen).isGreaterThanOrEqualTo(deposited.version());
      assertThat(app.queries().stateAt("acc-1", deposited.version()).orElseThrow().state()
          .getBalanceCents()).isEqualTo(250L);

      accept(gateway, "acc-1", new Deposit(100L));
      app.queries().awaitVersion("acc-1", 3L, Duration.ofSeconds(10));
      StreamTrace<BankAccountState> trace = app.queries().trace("acc-1");
      String text = trace.render();
      assertThat(text.lines().toList()).hasSize(8);
      assertThat(text).startsWith("stream acc-1: 3 events\n  initial  {\"status\": \"NOT_OPENED\"")
          .contains("  v1  ").contains("  AccountOpened  {\"owner\": \"Ada\"}")
          .contains("  v3  ").contains("state  {\"status\": \"OPEN\", \"owner\": \"Ada\", "
              + "\"balanceCents\": 350}");
      assertThat(app.queries().stateAt("acc-1", 2L).orElseThrow().state().toString())
          .isEqualTo("{\"status\": \"OPEN\", \"owner\": \"Ada\", \"balanceCents\": 250}");

      assertThatThrownBy(() -> app.queries().awaitVersion("acc-1", 99L, Duration.ofMillis(200)))
          .isInstanceOf(java.util.concurrent.TimeoutException.class)
          .hasMessageContaining("did not reach version 99").hasMessageContaining("at version 3");
    }
  }

  @Test
  void twoInstancesAgreeOnWhoOwnsEachStreamAndOnlyTheOwnerAnswers() throws Exception {
    AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("owners-it");
    topics(aggregate, 4);
    AppOptions base = AppOptions.of(bootstrap, "owners-it-app");
    try (AggregateApp<BankAccountState> one = start(aggregate,
            base.withApplicationServer("127.0.0.1:7101"));
        AggregateApp<BankAccountState> two = start(aggregate,
            base.withApplicationServer("127.0.0.1:7102"));
        CommandGateway gateway = gateway(aggregate)) {
      List<String> streams = IntStream.range(0, 12).mapToObj(i -> "acc-" + i).toList();
      for (String stream : streams) {
        accept(gateway, stream, new OpenAccount(stream));
      }
      // Wait until the group settled: both instances have tasks and know each other.
      await().atMost(Duration.ofSeconds(60)).until(() -> streams.stream().allMatch(s ->
          one.queries().owner(s).host() != null && one.queries().owner(s).local()
              != two.queries().owner(s).local()));

      Set<String> hosts = new java.util.HashSet<>();
      for (String stream : streams) {
        StreamOwner fromOne = one.queries().owner(stream);
        StreamOwner fromTwo = two.queries().owner(stream);
        assertThat(fromOne.host()).isEqualTo(fromTwo.host());
        assertThat(fromOne.partition()).isEqualTo(fromTwo.partition());
        AggregateApp<BankAccountState> owner = fromOne.local() ? one : two;
        AggregateApp<BankAccountState> other = fromOne.local() ? two : one;
        assertThat(fromOne.host()).isEqualTo(fromOne.local() ? "127.0.0.1:7101" : "127.0.0.1:7102");
        hosts.add(fromOne.host());

        assertThat(owner.queries().awaitVersion(stream, 1L, Duration.ofSeconds(10))).isEqualTo(1L);
        assertThat(owner.queries().events(stream)).hasSize(1);
        assertThatThrownBy(() -> other.queries().events(stream))
            .isInstanceOfSatisfying(StreamNotLocalException.class,
                e -> assertThat(e.owner().host()).isEqualTo(fromOne.host()))
            .hasMessageContaining("owned by " + fromOne.host());
      }
      assertThat(hosts).containsExactlyInAnyOrder("127.0.0.1:7101", "127.0.0.1:7102");
    }
  }

  private CommandResult sendAll(CommandGateway gateway, String stream, int from, int to)
      throws Exception {
    List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      sent.add(gateway.send(stream, new Deposit(100L)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    for (CompletableFuture<CommandResult> result : sent) {
      assertThat(result.get().accepted()).isTrue();
    }
    return sent.get(sent.size() - 1).get();
  }

  private void topics(AggregateDefinition<BankAccountState> aggregate, int partitions) {
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(partitions, (short) 1));
    }
  }

  private AggregateApp<BankAccountState> start(AggregateDefinition<BankAccountState> aggregate,
      AppOptions options) throws Exception {
    return AggregateApp.create(aggregate, serde, options).start()
        .awaitRunning(Duration.ofSeconds(60));
  }

  private CommandGateway gateway(AggregateDefinition<BankAccountState> aggregate) {
    return CommandGateway.connect(aggregate.topics(), serde,
        GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(60)));
  }

  private static CommandResult accept(CommandGateway gateway, String stream,
      org.apache.avro.specific.SpecificRecord command) throws Exception {
    CommandResult result = gateway.send(CommandRequest.of(stream, command))
        .get(90, TimeUnit.SECONDS);
    assertThat(result.accepted()).as(result.summary()).isTrue();
    return result;
  }

  /** Counts range scans on the index and the entries they return. */
  private static final class CountingStore implements ReadOnlyKeyValueStore<Bytes, byte[]> {
    private final ReadOnlyKeyValueStore<Bytes, byte[]> delegate;
    int ranges;
    long visited;

    CountingStore(ReadOnlyKeyValueStore<Bytes, byte[]> delegate) {
      this.delegate = delegate;
    }

    @Override
    public byte[] get(Bytes key) {
      return delegate.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
      ranges++;
      KeyValueIterator<Bytes, byte[]> inner = delegate.range(from, to);
      return new KeyValueIterator<>() {
        @Override
        public void close() {
          inner.close();
        }

        @Override
        public Bytes peekNextKey() {
          return inner.peekNextKey();
        }

        @Override
        public boolean hasNext() {
          return inner.hasNext();
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
          visited++;
          return inner.next();
        }
      };
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
      throw new AssertionError("a stream read must not iterate the whole index");
    }

    @Override
    public long approximateNumEntries() {
      return delegate.approximateNumEntries();
    }
  }
}
