package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.client.AppendedEvent;
import io.eskafka.client.CommandResult;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.ProjectionAdmin;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.ProjectionRunner.Status;
import io.eskafka.kafka.ProjectionStatus;
import io.eskafka.kafka.ResetTarget;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.UndecodableEventPolicy;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.projection.AtLeastOnceProjection;
import io.eskafka.projection.EventEnvelope;
import io.eskafka.projection.EventSelection;
import io.eskafka.projection.JdbcProjection;
import io.eskafka.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * At-least-once projections on the runner: event metadata, resuming from committed offsets, the
 * event-type filter, one projection fed by two aggregates' event topics, parking on an
 * undecodable event (both kinds of projection) or skipping it, and a reset repositioning an
 * at-least-once projection. Each test uses its
 * own account ids and projection name and looks only at its own accounts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectionRunnerIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final ProjectionOptions options = ProjectionOptions.of(bootstrap);
  private RunningBank checking;
  private RunningBank savings;

  @BeforeAll
  void startBanks() throws Exception {
    checking = new RunningBank(bootstrap, "checking-it", 2, serde);
    savings = new RunningBank(bootstrap, "savings-it", 2, serde);
  }

  @AfterAll
  void stopBanks() {
    if (checking != null) {
      checking.close();
    }
    if (savings != null) {
      savings.close();
    }
  }

  @Test
  void atLeastOnceProjectionSeesEachEventWithItsMetadataAndResumesAfterItsCommits()
      throws Exception {
    CommandResult opened = checking.accept("d-1", new OpenAccount("Dora"));
    CommandResult deposited = checking.accept("d-1", new Deposit(700L));
    Map<String, EventEnvelope> seen = new ConcurrentHashMap<>();
    AtLeastOnceProjection projection = new AtLeastOnceProjection("alo-d",
        EventSelection.of(checking.eventTopic()), collectInto(seen, "d-"));

    try (ProjectionRunner runner = ProjectionRunner.start(projection, serde, options)) {
      assertThat(runner.groupId()).isEqualTo("alo-d");
      await().atMost(DEADLINE).until(() -> seen.size() == 2);
    }
    EventEnvelope first = seen.get("d-1@1");
    assertThat(first.eventId()).isEqualTo(opened.events().get(0).eventId());
    assertThat(first.eventType()).isEqualTo("io.eskafka.examples.bank.events.AccountOpened");
    assertThat(first.topic()).isEqualTo(checking.eventTopic());
    assertThat(first.timestamp()).isNotNull();
    AppendedEvent appended = deposited.events().get(0);
    EventEnvelope second = seen.get("d-1@2");
    assertThat(second.eventId()).isEqualTo(appended.eventId());
    assertThat(second.event()).isEqualTo(appended.event());
    assertThat(second.partition()).isEqualTo(first.partition());
    assertThat(second.offset()).isGreaterThan(first.offset());

    // A graceful close committed the offsets: a restart sees only what is new.
    Map<String, EventEnvelope> afterRestart = new ConcurrentHashMap<>();
    AtLeastOnceProjection again = new AtLeastOnceProjection("alo-d",
        EventSelection.of(checking.eventTopic()), collectInto(afterRestart, "d-"));
    try (ProjectionRunner runner = ProjectionRunner.start(again, serde, options)) {
      checking.accept("d-1", new Deposit(1L));
      await().atMost(DEADLINE).until(() -> afterRestart.containsKey("d-1@3"));
      assertThat(afterRestart.keySet()).containsExactly("d-1@3");
      assertThat(runner.status()).isEqualTo(Status.RUNNING);
    }
  }

  @Test
  void filteredEventsAreSkippedButTheirOffsetsAdvance() throws Exception {
    checking.accept("e-1", new OpenAccount("Eve"));
    checking.accept("e-1", new Deposit(100L));
    checking.accept("e-1", new Withdraw(40L));
    checking.accept("e-1", new Deposit(5L));
    Map<String, EventEnvelope> seen = new ConcurrentHashMap<>();
    EventSelection deposits = EventSelection.of(checking.eventTopic())
        .onlyTypes(MoneyDeposited.class);
    try (ProjectionRunner runner = ProjectionRunner.start(
        new AtLeastOnceProjection("alo-e", deposits, collectInto(seen, "e-")), serde, options)) {
      await().atMost(DEADLINE).until(() -> seen.size() == 2);
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrder("e-1@2", "e-1@4");
    assertThat(seen.values()).allSatisfy(e -> assertThat(e.event()).isInstanceOf(MoneyDeposited.class));

    // The withdrawal (filtered out) was committed with its batch: nothing old comes back.
    Map<String, EventEnvelope> afterRestart = new ConcurrentHashMap<>();
    try (ProjectionRunner runner = ProjectionRunner.start(
        new AtLeastOnceProjection("alo-e", deposits, collectInto(afterRestart, "e-")), serde,
        options)) {
      checking.accept("e-1", new Withdraw(1L));
      checking.accept("e-1", new Deposit(2L));
      await().atMost(DEADLINE).until(() -> afterRestart.containsKey("e-1@6"));
      assertThat(afterRestart.keySet()).containsExactly("e-1@6");
    }
  }

  @Test
  void oneProjectionReadsTheEventTopicsOfTwoAggregates() throws Exception {
    // The same id in two contexts: a checking account and a savings account of one customer.
    checking.accept("f-1", new OpenAccount("Fay"));
    savings.accept("f-1", new OpenAccount("Fay"));
    savings.accept("f-1", new Deposit(9_000L));
    Map<String, EventEnvelope> seen = new ConcurrentHashMap<>();
    EventSelection both = EventSelection.of(checking.eventTopic(), savings.eventTopic());
    try (ProjectionRunner runner = ProjectionRunner.start(new AtLeastOnceProjection("alo-f", both,
        event -> {
          if (event.streamId().startsWith("f-")) {
            seen.put(event.topic() + ":" + event.streamId() + "@" + event.version(), event);
          }
        }), serde, options)) {
      await().atMost(DEADLINE).until(() -> seen.size() == 3);
      assertThat(runner.status()).isEqualTo(Status.RUNNING);
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrder(
        checking.eventTopic() + ":f-1@1", savings.eventTopic() + ":f-1@1",
        savings.eventTopic() + ":f-1@2");
    Set<String> owners = seen.values().stream().map(e -> e.event().getSchema().getName())
        .collect(Collectors.toSet());
    assertThat(owners).containsExactlyInAnyOrder("AccountOpened", "MoneyDeposited");
  }

  @Test
  void anUndecodableEventParksTheProjectionWithoutMovingAnOffsetPastIt() throws Exception {
    AggregateTopics topics = AggregateTopics.of("park-it");
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(topics.specs(1, (short) 1));
    }
    String topic = topics.events();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, new EventKey("p-1", 1).toBytes(),
          serde.serialize(topic, new MoneyDeposited(1L, 1L)))).get();
      producer.send(new ProducerRecord<>(topic, new EventKey("p-1", 2).toBytes(),
          "{not avro}".getBytes(StandardCharsets.UTF_8))).get();
      producer.send(new ProducerRecord<>(topic, new EventKey("p-1", 3).toBytes(),
          serde.serialize(topic, new MoneyDeposited(2L, 3L)))).get();
    }
    String parkedAt = "undecodable event at " + topic + "-0@1";

    Map<String, EventEnvelope> seen = new ConcurrentHashMap<>();
    try (ProjectionRunner runner = ProjectionRunner.start(new AtLeastOnceProjection("park-alo",
        EventSelection.of(topic), collectInto(seen, "p-")), serde, options);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      await().atMost(DEADLINE).until(() -> runner.status() == Status.PARKED);
      assertThat(runner.failure().orElseThrow()).hasMessageContaining(parkedAt);
      assertThat(seen.keySet()).containsExactly("p-1@1");
      // The good event before it is committed; the offset stops at the bad one, and says why.
      OffsetAndMetadata committed = admin.listConsumerGroupOffsets("park-alo")
          .partitionsToOffsetAndMetadata().get().get(new TopicPartition(topic, 0));
      assertThat(committed.offset()).isEqualTo(1L);
      assertThat(committed.metadata()).startsWith("eskafka-runner/1 PARKED ").contains(parkedAt);
    }

    try (TestDatabase db = TestDatabase.open(TestDatabase.Kind.H2);
        ProjectionRunner runner = ProjectionRunner.start(new JdbcProjection("park-jdbc",
            EventSelection.of(topic), List.of(), (event, connection) -> { }, connection -> { }),
            db.dataSource(), serde, options)) {
      await().atMost(DEADLINE).until(() -> runner.status() == Status.PARKED);
      assertThat(runner.failure().orElseThrow()).hasMessageContaining(parkedAt);
      assertThat(db.queryLong("SELECT COALESCE(MAX(next_offset), 0) FROM eskafka_projection_offsets"))
          .isLessThanOrEqualTo(1L);
    }

    // The other policy: skip it, count it, go on.
    Map<String, EventEnvelope> afterSkip = new ConcurrentHashMap<>();
    try (ProjectionRunner runner = ProjectionRunner.start(new AtLeastOnceProjection("skip-alo",
        EventSelection.of(topic), collectInto(afterSkip, "p-")), serde,
        options.withUndecodableEvents(UndecodableEventPolicy.SKIP))) {
      await().atMost(DEADLINE).until(() -> afterSkip.size() == 2);
      assertThat(afterSkip.keySet()).containsExactlyInAnyOrder("p-1@1", "p-1@3");
      // Progress is published after each batch, so it may trail the handler by one batch.
      await().atMost(DEADLINE).untilAsserted(
          () -> assertThat(runner.progress().skippedUndecodable()).isEqualTo(1L));
      assertThat(runner.status()).isEqualTo(Status.RUNNING);
    }
  }

  @Test
  void aResetRepositionsAnAtLeastOnceProjectionWhichReplaysWithoutBeingCleared() throws Exception {
    checking.accept("g-1", new OpenAccount("Gus"));
    checking.accept("g-1", new Deposit(3L));
    Map<String, EventEnvelope> seen = new ConcurrentHashMap<>();
    AtLeastOnceProjection projection = new AtLeastOnceProjection("alo-g",
        EventSelection.of(checking.eventTopic()), collectInto(seen, "g-"));
    try (ProjectionRunner runner = ProjectionRunner.start(projection, serde, options)) {
      await().atMost(DEADLINE).until(() -> seen.size() == 2);
    }
    try (ProjectionAdmin admin = ProjectionAdmin.connect(bootstrap)) {
      admin.reset("alo-g", ResetTarget.earliest());
      assertThat(admin.status("alo-g").state()).isEqualTo(ProjectionStatus.State.RESET_PENDING);
      Map<String, EventEnvelope> replayed = new ConcurrentHashMap<>();
      try (ProjectionRunner runner = ProjectionRunner.start(new AtLeastOnceProjection("alo-g",
          EventSelection.of(checking.eventTopic()), collectInto(replayed, "g-")), serde, options)) {
        await().atMost(DEADLINE).untilAsserted(() -> {
          assertThat(replayed.keySet()).containsExactlyInAnyOrder("g-1@1", "g-1@2");
          assertThat(runner.progress().replaying()).isFalse();
          assertThat(runner.progress().eventsTotal()).isPositive();
          ProjectionStatus status = admin.status("alo-g");
          assertThat(status.state()).isEqualTo(ProjectionStatus.State.RUNNING);
          assertThat(status.totalLag()).isZero();
        });
      }
    }
  }

  /** A handler that records this test's events by {@code stream@version}. */
  private static io.eskafka.projection.EventHandler collectInto(Map<String, EventEnvelope> seen,
      String prefix) {
    return event -> {
      if (event.streamId().startsWith(prefix)) {
        seen.put(event.streamId() + "@" + event.version(), event);
      }
    };
  }
}
