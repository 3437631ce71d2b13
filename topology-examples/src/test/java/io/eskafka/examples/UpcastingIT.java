package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.client.StoredEvent;
import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.events.MoneyWithdrawn;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.kafka.serde.Upcasters;
import io.eskafka.projection.AtLeastOnceProjection;
import io.eskafka.projection.EventEnvelope;
import io.eskafka.projection.EventSelection;
import io.eskafka.testing.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Upcasters apply wherever events are read: stream reads and state replays from the per-stream
 * index, and projections. The stored stream uses two retired event types: {@code AccountCreated}
 * (renamed twice: AccountCreated → AccountStarted → today's AccountOpened, a chain) and
 * {@code DepositWithFee} (split into a deposit and a withdrawal of the fee).
 */
class UpcastingIT {

  private static final String RETIRED = "io.eskafka.examples.bank.events.retired.";
  private static final Schema ACCOUNT_CREATED = schema("AccountCreated",
      "{\"name\": \"name\", \"type\": \"string\"}");
  private static final Schema ACCOUNT_STARTED = schema("AccountStarted",
      "{\"name\": \"holder\", \"type\": \"string\"}");
  private static final Schema DEPOSIT_WITH_FEE = schema("DepositWithFee",
      "{\"name\": \"amountCents\", \"type\": \"long\"}, {\"name\": \"feeCents\", \"type\": \"long\"}, "
          + "{\"name\": \"balanceCents\", \"type\": \"long\"}");

  static final Upcasters UPCASTERS = Upcasters.builder()
      .on(RETIRED + "AccountCreated", old -> List.of(record(ACCOUNT_STARTED, "holder", old.get("name"))))
      .on(RETIRED + "AccountStarted", old -> List.of(new AccountOpened(old.get("holder").toString())))
      .on(RETIRED + "DepositWithFee", old -> {
        long amount = (Long) old.get("amountCents");
        long fee = (Long) old.get("feeCents");
        long after = (Long) old.get("balanceCents");
        return List.of(new MoneyDeposited(amount, after + fee), new MoneyWithdrawn(fee, after));
      })
      .build();

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final int PARTITIONS = 2;

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerde serde = AvroSerde.builder(registry).upcasters(UPCASTERS).build();

  @Test
  void streamReadsReplaysAndProjectionsSeeTodaysEvents() throws Exception {
    String name = "upcast-" + UUID.randomUUID().toString().substring(0, 8);
    AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount(name);
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(PARTITIONS, (short) 1));
    }
    String topic = aggregate.topics().events();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      producer.send(stored(topic, "acc-u", 1, record(ACCOUNT_CREATED, "name", "Ada")));
      producer.send(stored(topic, "acc-u", 2, record(DEPOSIT_WITH_FEE, "amountCents", 1_000L,
          "feeCents", 50L, "balanceCents", 950L))).get();
    }

    try (AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde,
        AppOptions.of(bootstrap, name + "-app")).start().awaitRunning(DEADLINE)) {
      await().atMost(DEADLINE).until(() -> app.queries().version("acc-u") == 2);

      List<StoredEvent> events = app.queries().events("acc-u");
      assertThat(events).extracting(StoredEvent::event).containsExactly(
          new AccountOpened("Ada"), new MoneyDeposited(1_000L, 1_000L), new MoneyWithdrawn(50L, 950L));
      assertThat(events).extracting(StoredEvent::version).containsExactly(1L, 2L, 2L);
      assertThat(events).extracting(StoredEvent::type)
          .containsExactly(AccountOpened.getClassSchema().getFullName(),
              MoneyDeposited.getClassSchema().getFullName(),
              MoneyWithdrawn.getClassSchema().getFullName());
      BankAccountState atTwo = app.queries().stateAt("acc-u", 2).orElseThrow().state();
      assertThat(atTwo.getOwner()).isEqualTo("Ada");
      assertThat(atTwo.getBalanceCents()).isEqualTo(950L);
    }

    List<EventEnvelope> seen = new CopyOnWriteArrayList<>();
    TestDatabase database = TestDatabase.open(TestDatabase.Kind.H2);
    try (database;
        ProjectionRunner all = ProjectionRunner.start(new AtLeastOnceProjection(name + "-seen",
            EventSelection.of(topic), seen::add), serde, ProjectionOptions.of(bootstrap));
        ProjectionRunner balances = ProjectionRunner.start(
            AccountBalances.projection(name + "-balances", topic), database.dataSource(), serde,
            ProjectionOptions.of(bootstrap))) {
      await().atMost(DEADLINE).until(() -> seen.size() == 3);
      assertThat(seen).extracting(EventEnvelope::event).containsExactly(
          new AccountOpened("Ada"), new MoneyDeposited(1_000L, 1_000L), new MoneyWithdrawn(50L, 950L));
      await().atMost(DEADLINE).untilAsserted(() -> {
        try (Connection connection = database.dataSource().getConnection();
            Statement statement = connection.createStatement();
            ResultSet row = statement.executeQuery("SELECT owner, balance_cents FROM "
                + AccountBalances.TABLE + " WHERE account_id = 'acc-u'")) {
          assertThat(row.next()).isTrue();
          assertThat(row.getString(1)).isEqualTo("Ada");
          assertThat(row.getLong(2)).isEqualTo(950L);
        }
      });
    }
  }

  private ProducerRecord<byte[], byte[]> stored(String topic, String stream, long version,
      GenericRecord event) throws IOException {
    Schema schema = event.getSchema();
    int id = registry.register(topic + "-" + schema.getFullName(), schema);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
    new GenericDatumWriter<GenericRecord>(schema).write(event, encoder);
    encoder.flush();
    byte[] value = ByteBuffer.allocate(5 + body.size()).put((byte) 0).putInt(id)
        .put(body.toByteArray()).array();
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
        EventKey.partitionOf(stream, PARTITIONS), new EventKey(stream, version).toBytes(), value);
    // As the aggregate writes them: the stored type and an id, which readers keep.
    record.headers().add(MessageHeaders.EVENT_TYPE, schema.getFullName().getBytes(StandardCharsets.UTF_8));
    record.headers().add(MessageHeaders.EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    return record;
  }

  private static Schema schema(String name, String fields) {
    return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"" + name
        + "\", \"namespace\": \"io.eskafka.examples.bank.events.retired\", \"fields\": [" + fields + "]}");
  }

  private static GenericRecord record(Schema schema, Object... fieldsAndValues) {
    GenericData.Record record = new GenericData.Record(schema);
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      record.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    return record;
  }
}
