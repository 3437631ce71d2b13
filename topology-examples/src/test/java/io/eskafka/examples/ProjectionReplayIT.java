package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eskafka.examples.TestDatabase.Kind;
import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.ProjectionAdmin;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.ProjectionRunner.Status;
import io.eskafka.kafka.ProjectionStatus;
import io.eskafka.kafka.ProjectionStatus.PartitionStatus;
import io.eskafka.kafka.ProjectionStatus.State;
import io.eskafka.kafka.ResetRefusedException;
import io.eskafka.kafka.ResetResult;
import io.eskafka.kafka.ResetTarget;
import io.eskafka.kafka.serde.RetryPolicy;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.projection.EventSelection;
import io.eskafka.projection.JdbcEventHandler;
import io.eskafka.projection.JdbcProjection;
import io.eskafka.testing.EmbeddedKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.tools.consumer.group.ConsumerGroupCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replaying JDBC projections by resetting their consumer group's offsets, on H2 and PostgreSQL:
 * with {@link ProjectionAdmin} and with Kafka's own {@code kafka-consumer-groups} (its
 * {@link ConsumerGroupCommand}, run in this JVM), to the beginning and to a point in time; the
 * rebuild happens once even with two instances starting together; and the failure policy (retry,
 * then park) with the status another JVM would see.
 *
 * <p>All tests share one bank aggregate (4 partitions); each has its own accounts, projection and
 * database. The test projection keeps the balances, records every applied (stream, version) under
 * a primary key (an event applied twice would fail the batch and show in the count) and logs each
 * committed clear in {@code clear_log}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectionReplayIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private final ProjectionOptions options = ProjectionOptions.of(bootstrap).withMaxBatchSize(7);
  private RunningBank bank;
  private ProjectionAdmin projections;

  @BeforeAll
  void start() throws Exception {
    bank = new RunningBank(bootstrap, "replay-it", 4, serde);
    projections = ProjectionAdmin.connect(bootstrap);
  }

  @AfterAll
  void stop() {
    if (projections != null) {
      projections.close();
    }
    if (bank != null) {
      bank.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aResetWithProjectionAdminRebuildsTheReadModelFromTheBeginning(Kind kind) throws Exception {
    try (TestDatabase db = TestDatabase.open(kind)) {
      String prefix = "ra-" + db.suffix() + "-";
      int events = appendAccounts(prefix, 4);
      JdbcProjection projection = audited("replay-a-" + db.suffix(), true);
      Map<String, String> original = runUntilCaughtUp(db, projection, prefix, events);

      ResetResult result = projections.reset(projection.name(), ResetTarget.earliest());
      assertThat(result.executed()).isTrue();
      assertThat(result.partitions()).hasSize(4)
          .allSatisfy(p -> assertThat(p.after()).isZero())
          .anySatisfy(p -> assertThat(p.before().orElseThrow()).isPositive());
      assertThat(projections.status(projection.name()).state()).isEqualTo(State.RESET_PENDING);

      try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
          options)) {
        awaitCaughtUp(runner, db, prefix, events);
        assertThat(balances(db.dataSource(), prefix)).isEqualTo(original);
        assertThat(runner.progress().eventsTotal()).isPositive();
        assertThat(runner.progress().eventsDone()).isEqualTo(runner.progress().eventsTotal());
      }
      assertThat(clears(db)).isEqualTo(1L);
      assertThat(projections.status(projection.name()).state()).isEqualTo(State.STOPPED);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aResetWithKafkasOwnToolRebuildsTheSameWayAndASecondIdenticalResetToo(Kind kind)
      throws Exception {
    try (TestDatabase db = TestDatabase.open(kind); Admin admin = admin()) {
      String prefix = "rb-" + db.suffix() + "-";
      int events = appendAccounts(prefix, 4);
      JdbcProjection projection = audited("replay-b-" + db.suffix(), true);
      Map<String, String> original = runUntilCaughtUp(db, projection, prefix, events);

      for (int reset = 1; reset <= 2; reset++) {
        kafkaConsumerGroups("--bootstrap-server", bootstrap, "--group", projection.name(),
            "--reset-offsets", "--to-earliest", "--all-topics", "--execute");
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(projection.name()).partitionsToOffsetAndMetadata().get();
        assertThat(committed).hasSize(4).allSatisfy((partition, offset) -> {
          assertThat(offset.offset()).isZero();
          assertThat(offset.metadata()).isEmpty();
        });
        try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
            options)) {
          awaitCaughtUp(runner, db, prefix, events);
          assertThat(balances(db.dataSource(), prefix)).isEqualTo(original);
        }
        // The second reset writes exactly what the first wrote; it is a reset all the same.
        assertThat(clears(db)).isEqualTo(reset);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aResetToADatetimeRebuildsFromThatTimeOn(Kind kind) throws Exception {
    try (TestDatabase db = TestDatabase.open(kind)) {
      String prefix = "rc-" + db.suffix() + "-";
      int before = appendAccounts(prefix, 3);
      Instant cut = Instant.now().plusMillis(1);
      // The events after the cut must carry a later timestamp than every event before it.
      await().atMost(DEADLINE).until(() -> Instant.now().isAfter(cut));
      Set<String> after = new TreeSet<>();
      for (int i = 0; i < 3; i++) {
        bank.accept(prefix + i, new Deposit(50L));
        after.add(prefix + i + "@4");
        bank.accept(prefix + i, new Withdraw(20L));
        after.add(prefix + i + "@5");
      }
      // Without balances: a rebuild from the cut has no AccountOpened to update.
      JdbcProjection projection = audited("replay-c-" + db.suffix(), false);
      try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
          options)) {
        await().atMost(DEADLINE).until(() -> applied(db, prefix).size() == before + after.size());
      }

      ResetResult result = projections.reset(projection.name(), ResetTarget.at(cut));
      assertThat(result.partitions()).anySatisfy(p -> assertThat(p.after()).isPositive());
      try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
          options)) {
        await().atMost(DEADLINE).untilAsserted(() -> {
          failFast(runner);
          assertThat(projections.status(projection.name()).totalLag()).isZero();
          assertThat(applied(db, prefix)).isEqualTo(after);
        });
      }
      assertThat(clears(db)).isEqualTo(1L);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void twoInstancesStartingAfterAResetRebuildOnce(Kind kind) throws Exception {
    try (TestDatabase db = TestDatabase.open(kind)) {
      String prefix = "rd-" + db.suffix() + "-";
      int events = appendAccounts(prefix, 6);
      JdbcProjection projection = audited("replay-d-" + db.suffix(), true);
      Map<String, String> original = runUntilCaughtUp(db, projection, prefix, events);

      projections.reset(projection.name(), ResetTarget.earliest());
      try (ProjectionRunner first = ProjectionRunner.start(projection, db.dataSource(), serde,
              options);
          ProjectionRunner second = ProjectionRunner.start(projection, db.dataSource(), serde,
              options)) {
        await().atMost(DEADLINE).untilAsserted(() -> {
          failFast(first);
          failFast(second);
          assertThat(first.assignedPartitions().size() + second.assignedPartitions().size())
              .isEqualTo(4);
          assertThat(applied(db, prefix)).hasSize(events);
          assertThat(balances(db.dataSource(), prefix)).isEqualTo(original);
          assertThat(projections.status(projection.name()).totalLag()).isZero();
        });
      }
      assertThat(clears(db)).isEqualTo(1L);
    }
  }

  @Test
  void aResetIsRefusedWhileTheGroupHasMembersOrWhenItNeverCommitted() throws Exception {
    try (TestDatabase db = TestDatabase.open(Kind.H2)) {
      String prefix = "re-";
      int events = appendAccounts(prefix, 1);
      JdbcProjection projection = audited("replay-e", true);
      try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
          options)) {
        awaitCaughtUp(runner, db, prefix, events);
        assertThatThrownBy(() -> projections.reset("replay-e", ResetTarget.earliest()))
            .isInstanceOf(ResetRefusedException.class)
            .hasMessageContaining("'replay-e' has 1 active member(s) on [/127.0.0.1]")
            .hasMessageContaining("stop every instance");
      }
      assertThatThrownBy(() -> projections.reset("replay-never-ran", ResetTarget.earliest()))
          .isInstanceOf(ResetRefusedException.class)
          .hasMessageContaining("'replay-never-ran' never committed offsets");
      assertThatThrownBy(() -> projections.reset("replay-e",
          ResetTarget.offsets(Map.of(new TopicPartition(bank.eventTopic(), 9), 0L))))
          .isInstanceOf(ResetRefusedException.class)
          .hasMessageContaining("does not read " + bank.eventTopic() + "-9");
      assertThat(clears(db)).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aFailingHandlerIsRetriedWithBackoffAndThenSucceeds(Kind kind) throws Exception {
    try (TestDatabase db = TestDatabase.open(kind)) {
      String prefix = "rf-" + db.suffix() + "-";
      int events = appendAccounts(prefix, 2);
      bank.accept(prefix + "0", new Deposit(13L));
      AtomicInteger throwsLeft = new AtomicInteger(2);
      JdbcProjection projection = failingOn13("replay-f-" + db.suffix(), prefix, () ->
          throwsLeft.getAndDecrement() > 0);
      try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
          options.withRetry(new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(200))))) {
        awaitCaughtUp(runner, db, prefix, events + 1);
        assertThat(runner.status()).isEqualTo(Status.RUNNING);
        assertThat(runner.progress().failedAttempts()).isZero();
      }
      assertThat(throwsLeft.get()).isNegative();
      assertThat(balances(db.dataSource(), prefix)).containsEntry(prefix + "0", "owner-0:913:4");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aHandlerThatKeepsFailingParksWithoutMovingItsOffsetAndStatusShowsIt(Kind kind)
      throws Exception {
    try (TestDatabase db = TestDatabase.open(kind)) {
      String prefix = "rg-" + db.suffix() + "-";
      int events = appendAccounts(prefix, 2);
      AtomicLong poisonOffset = new AtomicLong(-1);
      AtomicInteger calls = new AtomicInteger();
      JdbcProjection projection = failingOn13("replay-g-" + db.suffix(), prefix, () -> {
        calls.incrementAndGet();
        return true;
      });
      JdbcProjection recording = new JdbcProjection(projection.name(), projection.events(),
          projection.schema(), (event, connection) -> {
            if (event.event() instanceof MoneyDeposited deposit && deposit.getAmountCents() == 13L
                && event.streamId().startsWith(prefix)) {
              poisonOffset.set(event.offset());
            }
            projection.handler().handle(event, connection);
          }, projection.clear());
      try (ProjectionRunner runner = ProjectionRunner.start(recording, db.dataSource(), serde,
          options.withRetry(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(100))))) {
        awaitCaughtUp(runner, db, prefix, events);
        bank.accept(prefix + "1", new Deposit(13L));
        await().atMost(DEADLINE).until(() -> runner.status() == Status.PARKED);
        assertThat(runner.failure().orElseThrow())
            .hasMessageContaining("handler failed at " + bank.eventTopic())
            .hasMessageContaining("gave up after 3 attempts");
        assertThat(calls.get()).isEqualTo(3);
      }
      assertThat(poisonOffset.get()).as("offset of the poison event").isNotNegative();
      TopicPartition poisoned = new TopicPartition(bank.eventTopic(),
          EventKey.partitionOf(prefix + "1", 4));
      assertThat(db.storedOffsets(recording.name()).get(poisoned))
          .isLessThanOrEqualTo(poisonOffset.get());
      assertThat(applied(db, prefix)).hasSize(events);

      ProjectionStatus status = projections.status(recording.name());
      assertThat(status.state()).isEqualTo(State.PARKED);
      assertThat(status.members()).isEmpty();
      assertThat(status.error().orElseThrow()).contains("handler failed at", "gave up after 3");
      PartitionStatus partition = status.partitions().stream()
          .filter(p -> p.partition() == poisoned.partition()).findFirst().orElseThrow();
      assertThat(partition.state()).isEqualTo(State.PARKED);
      assertThat(partition.committed().orElseThrow()).isLessThanOrEqualTo(poisonOffset.get());
      assertThat(partition.lag()).isEqualTo(partition.endOffset()
          - partition.committed().orElseThrow()).isPositive();
    }
  }

  @Test
  void statusShowsStateMembersAndLagOfEveryProjectionGroup() throws Exception {
    try (TestDatabase db = TestDatabase.open(Kind.H2)) {
      String prefix = "rh-";
      int events = appendAccounts(prefix, 2);
      JdbcProjection projection = audited("replay-h", true);
      try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
          options)) {
        awaitCaughtUp(runner, db, prefix, events);
        ProjectionStatus status = projections.status("replay-h");
        assertThat(status.state()).isEqualTo(State.RUNNING);
        assertThat(status.groupState()).isEqualTo("Stable");
        assertThat(status.members()).singleElement()
            .satisfies(member -> assertThat(member.partitions()).isEqualTo(4));
        assertThat(status.partitions()).hasSize(4)
            .allSatisfy(p -> assertThat(p.state()).isEqualTo(State.RUNNING));
        assertThat(projections.list()).contains("replay-h");
        assertThat(projections.status()).extracting(ProjectionStatus::groupId)
            .contains("replay-h").doesNotContain("replay-it-app");
      }
      bank.accept(prefix + "0", new Deposit(1L));
      bank.accept(prefix + "1", new Deposit(1L));
      ProjectionStatus stopped = projections.status("replay-h");
      assertThat(stopped.state()).isEqualTo(State.STOPPED);
      assertThat(stopped.members()).isEmpty();
      // Each deposit is one event (plus a transaction marker) behind.
      assertThat(stopped.totalLag()).isGreaterThanOrEqualTo(2L);
      assertThat(stopped.partitions()).filteredOn(p -> p.committed().isPresent())
          .isNotEmpty()
          .allSatisfy(p -> assertThat(p.lag()).isEqualTo(p.endOffset() - p.committed().getAsLong()));
    }
  }

  // --- helpers ---

  /** A parked runner will never catch up: fails the wait at once (not an assertion error). */
  private static void failFast(ProjectionRunner runner) {
    if (runner.failure().isPresent()) {
      throw new IllegalStateException(runner + " parked", runner.failure().get());
    }
  }

  /** Opens accounts and moves money: three events per account. */
  private int appendAccounts(String prefix, int accounts) throws Exception {
    for (int i = 0; i < accounts; i++) {
      String account = prefix + i;
      bank.accept(account, new OpenAccount("owner-" + i));
      bank.accept(account, new Deposit(1_000L + i));
      bank.accept(account, new Withdraw(100L));
    }
    return 3 * accounts;
  }

  /** Runs a first instance until this test's events are in, then stops it. */
  private Map<String, String> runUntilCaughtUp(TestDatabase db, JdbcProjection projection,
      String prefix, int events) throws Exception {
    try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
        options)) {
      awaitCaughtUp(runner, db, prefix, events);
    }
    assertThat(clears(db)).isZero();
    return balances(db.dataSource(), prefix);
  }

  /** This test's events are applied, once each, and the whole group has no lag. */
  private void awaitCaughtUp(ProjectionRunner runner, TestDatabase db, String prefix, int events) {
    await().atMost(DEADLINE).untilAsserted(() -> {
      failFast(runner);
      assertThat(applied(db, prefix)).hasSize(events);
      assertThat(runner.progress().replaying()).isFalse();
      assertThat(projections.status(runner.groupId()).totalLag()).isZero();
    });
  }

  /**
   * The test projection: balances (optionally), every applied (stream, version) under a primary
   * key, and a row in {@code clear_log} per committed clear.
   */
  private JdbcProjection audited(String name, boolean withBalances) {
    JdbcProjection balances = AccountBalances.projection(name, bank.eventTopic());
    List<String> schema = new ArrayList<>(balances.schema());
    schema.add("CREATE TABLE IF NOT EXISTS applied_event (stream_id VARCHAR(200) NOT NULL, "
        + "version BIGINT NOT NULL, PRIMARY KEY (stream_id, version))");
    schema.add("CREATE TABLE IF NOT EXISTS clear_log (projection VARCHAR(200) NOT NULL)");
    return new JdbcProjection(name, balances.events(), schema, (event, connection) -> {
      if (withBalances) {
        balances.handler().handle(event, connection);
      }
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO applied_event (stream_id, version) VALUES (?, ?)")) {
        insert.setString(1, event.streamId());
        insert.setLong(2, event.version());
        insert.executeUpdate();
      }
    }, connection -> {
      balances.clear().run(connection);
      try (Statement statement = connection.createStatement()) {
        statement.executeUpdate("DELETE FROM applied_event");
        statement.executeUpdate("INSERT INTO clear_log (projection) VALUES ('" + name + "')");
      }
    });
  }

  /**
   * The audited projection whose handler throws on a deposit of 13 cents to one of this test's
   * accounts, while {@code fail} says so.
   */
  private JdbcProjection failingOn13(String name, String prefix, BooleanSupplier fail) {
    JdbcProjection audited = audited(name, true);
    JdbcEventHandler handler = (event, connection) -> {
      if (event.event() instanceof MoneyDeposited deposit && deposit.getAmountCents() == 13L
          && event.streamId().startsWith(prefix) && fail.getAsBoolean()) {
        throw new SQLException("read model refuses 13 cents at " + event.position());
      }
      audited.handler().handle(event, connection);
    };
    return new JdbcProjection(name, EventSelection.of(bank.eventTopic()), audited.schema(),
        handler, audited.clear());
  }

  /** Kafka's kafka-consumer-groups, in this JVM; a call of System.exit would fail the test. */
  private static void kafkaConsumerGroups(String... args) {
    Exit.setExitProcedure((code, message) -> {
      throw new AssertionError("kafka-consumer-groups exited with " + code + ": " + message);
    });
    try {
      ConsumerGroupCommand.main(args);
    } finally {
      Exit.resetExitProcedure();
    }
  }

  /** Account id to {@code owner:balance:version}. */
  private static Map<String, String> balances(DataSource dataSource, String prefix)
      throws SQLException {
    Map<String, String> rows = new TreeMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT account_id, owner, "
            + "balance_cents, version FROM account_balance WHERE account_id LIKE ?")) {
      select.setString(1, prefix + "%");
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          rows.put(result.getString(1),
              result.getString(2) + ":" + result.getLong(3) + ":" + result.getLong(4));
        }
      }
    }
    return rows;
  }

  /** This test's applied events as {@code stream@version}. */
  private static Set<String> applied(TestDatabase db, String prefix) throws SQLException {
    Set<String> rows = new TreeSet<>();
    try (Connection connection = db.dataSource().getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT stream_id, version FROM applied_event WHERE stream_id LIKE ?")) {
      select.setString(1, prefix + "%");
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          rows.add(result.getString(1) + "@" + result.getLong(2));
        }
      }
    }
    return rows;
  }

  private static long clears(TestDatabase db) throws SQLException {
    return db.queryLong("SELECT COUNT(*) FROM clear_log");
  }


  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }
}
