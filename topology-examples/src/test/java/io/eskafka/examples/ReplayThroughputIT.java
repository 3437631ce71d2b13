package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.examples.TestDatabase.Kind;
import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.ProjectionAdmin;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionProgress;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.ResetTarget;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.projection.JdbcProjection;
import io.eskafka.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A replay of many events: the account-balances projection catches up with a backlog, is reset to
 * earliest and rebuilds the same table, on H2 and PostgreSQL; the replay rates are printed.
 *
 * <p>{@code -Deskafka.replay.events=100000} sets the size (default 10 000, to keep the suite
 * fast). The events are produced straight to the event topic (1 000 accounts, one
 * {@code AccountOpened} each, then deposits of 1 cent), so the expected balances are known.
 */
class ReplayThroughputIT {

  private static final int ACCOUNTS = 1_000;

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aLargeReplayRebuildsTheSameTableAndReportsItsRate(Kind kind) throws Exception {
    int events = Integer.getInteger("eskafka.replay.events", 10_000);
    String bootstrap = EmbeddedKafka.shared().bootstrapServers();
    AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
    AggregateTopics topics = AggregateTopics.of("throughput-" + kind.name().toLowerCase());
    try (TopicApplier applier = new TopicApplier(bootstrap);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      applier.apply(topics.specs(4, (short) 1));
      // Produce only once every partition has a leader: a first batch refused by a partition
      // still being created can otherwise land after later ones on a loaded machine.
      await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeTopics(
          List.of(topics.events())).allTopicNames().get().get(topics.events()).partitions()
          .stream().allMatch(partition -> partition.leader() != null));
    }
    long totalCents = produce(bootstrap, serde, topics.events(), events);

    try (TestDatabase db = TestDatabase.open(kind);
        ProjectionAdmin admin = ProjectionAdmin.connect(bootstrap)) {
      JdbcProjection projection = AccountBalances.projection("throughput-" + db.suffix(),
          topics.events());
      ProjectionOptions options = ProjectionOptions.of(bootstrap)
          .withProgressInterval(Duration.ofSeconds(2));
      String first = replay(projection, db, serde, options, admin, events, totalCents);
      admin.reset(projection.name(), ResetTarget.earliest());
      String rebuilt = replay(projection, db, serde, options, admin, events, totalCents);
      System.out.printf("replay of %d events on %s: first start %s; after a reset to earliest %s%n",
          events, kind, first, rebuilt);
    }
  }

  private static String replay(JdbcProjection projection, TestDatabase db, AvroSerde serde,
      ProjectionOptions options, ProjectionAdmin admin, int events, long totalCents)
      throws Exception {
    try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
        options)) {
      await().atMost(Duration.ofMinutes(5)).untilAsserted(() -> {
        if (runner.failure().isPresent()) {
          // Not an assertion error: stops the wait at once.
          throw new IllegalStateException("projection parked", runner.failure().get());
        }
        assertThat(runner.progress().eventsTotal()).isGreaterThanOrEqualTo(events);
        assertThat(runner.progress().replaying()).isFalse();
        assertThat(admin.status(runner.groupId()).totalLag()).isZero();
      });
      ProjectionProgress progress = runner.progress();
      assertThat(progress.eventsDone()).isEqualTo(progress.eventsTotal());
      assertThat(db.queryLong("SELECT COUNT(*) FROM account_balance")).isEqualTo(ACCOUNTS);
      assertThat(db.queryLong("SELECT SUM(balance_cents) FROM account_balance"))
          .isEqualTo(totalCents);
      assertThat(db.queryLong("SELECT SUM(version) FROM account_balance")).isEqualTo(events);
      return String.format("%d events in %.1f s (%.0f events/s)", progress.eventsDone(),
          progress.eventsDone() / progress.eventsPerSecond(), progress.eventsPerSecond());
    }
  }

  /** Writes the events; returns the sum of all deposits. */
  private static long produce(String bootstrap, AvroSerde serde, String topic, int events)
      throws Exception {
    long[] versions = new long[ACCOUNTS];
    long cents = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
        // One batch in flight per partition: a retried batch can never overtake the next one.
        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        int account = i % ACCOUNTS;
        long version = ++versions[account];
        SpecificRecord event = version == 1
            ? new AccountOpened("owner-" + account)
            : new MoneyDeposited(1L, version - 1);
        cents += version == 1 ? 0 : 1;
        String stream = "t-" + account;
        // A stream's events in one partition, as the aggregate writes them.
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
            EventKey.partitionOf(stream, 4), new EventKey(stream, version).toBytes(),
            serde.serialize(topic, event));
        record.headers().add(MessageHeaders.EVENT_TYPE,
            event.getSchema().getFullName().getBytes(StandardCharsets.UTF_8));
        sent.add(producer.send(record));
      }
      producer.flush();
      for (Future<RecordMetadata> future : sent) {
        future.get();
      }
    }
    return cents;
  }
}
