package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.client.StoredEvent;
import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.events.AccountClosed;
import io.eskafka.examples.bank.events.MoneyWithdrawn;
import io.eskafka.examples.bank.state.AccountStatus;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.TopicSpec;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.projection.AtLeastOnceProjection;
import io.eskafka.projection.EventEnvelope;
import io.eskafka.projection.EventSelection;
import io.eskafka.testing.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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
 * Events written with v1 of the bank's event schemas (the released files in
 * {@code schemas/history}, encoded independently of our serde) are read by today's code through
 * Avro schema resolution, the writer schema fetched from the registry by id: a field added with a
 * default ({@code AccountClosed.reason}, v2) and a field renamed with an alias
 * ({@code MoneyWithdrawn.balanceCents} → {@code balanceAfterCents}, v2) — in projections, and in
 * the aggregate's stream reads and state replays (the per-stream index, which snapshot rebuilds
 * also replay from).
 */
class OldEventsNewCodeIT {

  private static final Path HISTORY = Path.of("..", "schemas", "history");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerde serde = AvroSerde.create(registry);

  @Test
  void projectionsReadV1EventsIntoV2Classes() throws Exception {
    String topic = "old-events-it.events";
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(List.of(new TopicSpec(topic, 1, (short) 1, Map.of("cleanup.policy", "compact"))));
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      producer.send(v1Event(topic, "acc-old", 1, "AccountOpened", "owner", "Ada"));
      producer.send(v1Event(topic, "acc-old", 2, "MoneyDeposited", "amountCents", 500L,
          "balanceCents", 500L));
      producer.send(v1Event(topic, "acc-old", 3, "MoneyWithdrawn", "amountCents", 500L,
          "balanceCents", 0L));
      producer.send(v1Event(topic, "acc-old", 4, "AccountClosed")).get();
    }

    List<EventEnvelope> seen = new CopyOnWriteArrayList<>();
    TestDatabase database = TestDatabase.open(TestDatabase.Kind.H2);
    try (database;
        ProjectionRunner events = ProjectionRunner.start(new AtLeastOnceProjection(
            "old-events-it-seen", EventSelection.of(topic), seen::add), serde,
            ProjectionOptions.of(bootstrap));
        ProjectionRunner balances = ProjectionRunner.start(
            AccountBalances.projection("old-events-it-balances", topic), database.dataSource(),
            serde, ProjectionOptions.of(bootstrap))) {
      await().atMost(DEADLINE).until(() -> seen.size() == 4);

      MoneyWithdrawn withdrawn = (MoneyWithdrawn) seen.get(2).event();
      assertThat(withdrawn.getAmountCents()).isEqualTo(500L);
      assertThat(withdrawn.getBalanceAfterCents()).as("renamed field, read through its alias")
          .isZero();
      assertThat(((AccountClosed) seen.get(3).event()).getReason())
          .as("field added in v2, absent from v1 bytes: its default").isNull();

      await().atMost(DEADLINE).untilAsserted(() -> {
        try (Connection connection = database.dataSource().getConnection();
            Statement statement = connection.createStatement();
            ResultSet row = statement.executeQuery("SELECT owner, balance_cents, version FROM "
                + AccountBalances.TABLE + " WHERE account_id = 'acc-old'")) {
          assertThat(row.next()).isTrue();
          assertThat(row.getString(1)).isEqualTo("Ada");
          assertThat(row.getLong(2)).isZero();
          assertThat(row.getLong(3)).isEqualTo(4);
        }
      });
    }
  }

  @Test
  void streamReadsAndStateReplaysReadV1EventsIntoV2Classes() throws Exception {
    String name = "old-events-" + UUID.randomUUID().toString().substring(0, 8);
    AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount(name);
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(1, (short) 1));
    }
    String topic = aggregate.topics().events();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      producer.send(v1Event(topic, "acc-v1", 1, "AccountOpened", "owner", "Grace"));
      producer.send(v1Event(topic, "acc-v1", 2, "MoneyDeposited", "amountCents", 300L,
          "balanceCents", 300L));
      producer.send(v1Event(topic, "acc-v1", 3, "MoneyWithdrawn", "amountCents", 300L,
          "balanceCents", 0L));
      producer.send(v1Event(topic, "acc-v1", 4, "AccountClosed")).get();
    }
    try (AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde,
        AppOptions.of(bootstrap, name + "-app")).start().awaitRunning(DEADLINE)) {
      await().atMost(DEADLINE).until(() -> app.queries().version("acc-v1") == 4);

      List<StoredEvent> events = app.queries().events("acc-v1");
      assertThat(((MoneyWithdrawn) events.get(2).event()).getBalanceAfterCents()).isZero();
      assertThat(((AccountClosed) events.get(3).event()).getReason()).isNull();
      BankAccountState afterDeposit = app.queries().stateAt("acc-v1", 2).orElseThrow().state();
      assertThat(afterDeposit.getOwner()).isEqualTo("Grace");
      assertThat(afterDeposit.getBalanceCents()).isEqualTo(300L);
      assertThat(app.queries().stateAt("acc-v1", 4).orElseThrow().state().getStatus())
          .isEqualTo(AccountStatus.CLOSED);
    }
  }

  /** A record encoded with the released v1 schema, framed by hand (magic byte, id, Avro body). */
  private ProducerRecord<byte[], byte[]> v1Event(String topic, String stream, long version,
      String type, Object... fieldsAndValues) throws IOException {
    String fullName = "io.eskafka.examples.bank.events." + type;
    Schema v1 = new Schema.Parser().parse(HISTORY.resolve(fullName).resolve("v1.avsc").toFile());
    int id = registry.register(topic + "-" + fullName, v1);
    GenericRecord record = new GenericData.Record(v1);
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      record.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
    new GenericDatumWriter<GenericRecord>(v1).write(record, encoder);
    encoder.flush();
    byte[] value = ByteBuffer.allocate(5 + body.size()).put((byte) 0).putInt(id)
        .put(body.toByteArray()).array();
    // Partition 0: the aggregate test topic has one partition, where the stream index looks.
    return new ProducerRecord<>(topic, 0, new EventKey(stream, version).toBytes(), value);
  }
}
