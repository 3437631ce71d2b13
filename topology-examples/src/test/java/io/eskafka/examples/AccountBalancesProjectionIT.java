package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.examples.TestDatabase.Kind;
import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.ProjectionRunner.Status;
import io.eskafka.kafka.serde.RetryPolicy;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.projection.JdbcProjection;
import io.eskafka.testing.EmbeddedKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The account-balances JDBC projection over the bank-account events, on H2 and on PostgreSQL:
 * correct balances, exactly-once across a crash between the database and the Kafka commit, and
 * across a partition rebalance between two runner instances.
 *
 * <p>All tests share one aggregate (4 partitions); each uses its own account ids, projection name
 * and database, and looks only at its own accounts. The projections add and subtract amounts and
 * record every applied (stream, version) under a primary key, so an event applied twice would
 * both park the runner and show in the balances; a clear of the read model is logged in
 * {@code clear_log}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountBalancesProjectionIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
  private RunningBank bank;

  /** One row of the read model. */
  private record Balance(String owner, long balanceCents, long version) {}

  @BeforeAll
  void startBank() throws Exception {
    bank = new RunningBank(bootstrap, "balances-it", 4, serde);
  }

  @AfterAll
  void stopBank() {
    if (bank != null) {
      bank.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void balancesFollowTheCommands(Kind kind) throws Exception {
    try (TestDatabase db = TestDatabase.open(kind)) {
      String ada = "a-" + db.suffix() + "-ada";
      String bob = "a-" + db.suffix() + "-bob";
      bank.accept(ada, new OpenAccount("Ada"));
      bank.accept(bob, new OpenAccount("Bob"));
      bank.accept(ada, new Deposit(10_000L));
      bank.accept(bob, new Deposit(2_550L));
      bank.accept(ada, new Withdraw(3_000L));
      assertThat(bank.send(bob, new Withdraw(50_000L)).accepted()).isFalse();
      bank.accept(bob, new Deposit(1_000L));

      JdbcProjection projection = AccountBalances.projection("balances-a-" + db.suffix(),
          bank.eventTopic());
      try (ProjectionRunner runner = ProjectionRunner.start(projection, db.dataSource(), serde,
          ProjectionOptions.of(bootstrap))) {
        Map<String, Balance> expected = Map.of(
            ada, new Balance("Ada", 7_000L, 3L),
            bob, new Balance("Bob", 3_550L, 3L));
        awaitBalances(db, "a-" + db.suffix() + "-", expected, runner);
        assertThat(runner.status()).isEqualTo(Status.RUNNING);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void noEventAppliedTwiceOrSkippedAcrossACrashBetweenDatabaseAndKafkaCommit(Kind kind)
      throws Exception {
    try (TestDatabase db = TestDatabase.open(kind); Admin admin = admin()) {
      String prefix = "b-" + db.suffix() + "-";
      Map<String, Balance> expected = new TreeMap<>();
      for (int i = 0; i < 6; i++) {
        String account = prefix + i;
        bank.accept(account, new OpenAccount("owner-" + i));
        bank.accept(account, new Deposit(1_000L + i));
        bank.accept(account, new Withdraw(100L));
        expected.put(account, new Balance("owner-" + i, 900L + i, 3L));
      }
      JdbcProjection projection = audited("balances-b-" + db.suffix());
      // No retries: the simulated crash must stop the runner, as a real one would.
      ProjectionOptions options = ProjectionOptions.of(bootstrap).withMaxBatchSize(5)
          .withRetry(RetryPolicy.noRetries());

      // Commit 1 creates the tables, 2 the projection's state row, 3 is the start-up check for a
      // reset, 4 the first batch, 5 the second batch, which reaches the database and then
      // "crashes" the runner before its Kafka commit.
      CrashingDataSource crashing = new CrashingDataSource(db.dataSource());
      crashing.crashAfterCommit(5);
      try (ProjectionRunner crashed = ProjectionRunner.start(projection, crashing, serde, options)) {
        await().atMost(DEADLINE).until(() -> crashed.status() == Status.PARKED);
        assertThat(crashed.failure().orElseThrow()).hasMessageContaining("simulated crash");
        Map<TopicPartition, Long> inDatabase = db.storedOffsets(projection.name());
        Map<TopicPartition, Long> inKafka = kafkaOffsets(admin, crashed.groupId());
        // The window under test: the database is ahead of Kafka's committed offsets.
        assertThat(sum(inDatabase)).isGreaterThan(sum(inKafka));
      }

      try (ProjectionRunner restarted = ProjectionRunner.start(projection, db.dataSource(), serde,
          options)) {
        awaitBalances(db, prefix, expected, restarted);
        assertThat(appliedCount(db, prefix)).isEqualTo(18L);
        assertThat(restarted.status()).isEqualTo(Status.RUNNING);
      }
      // Kafka's offsets lagging behind the database (the runner's own, marked commits) are not a
      // reset: the read model was never cleared.
      assertThat(db.queryLong("SELECT COUNT(*) FROM clear_log")).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyEventAppliedOnceWhilePartitionsMoveBetweenTwoInstances(Kind kind) throws Exception {
    try (TestDatabase db = TestDatabase.open(kind)) {
      String prefix = "c-" + db.suffix() + "-";
      List<String> accounts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        accounts.add(prefix + i);
      }
      JdbcProjection projection = audited("balances-c-" + db.suffix());
      ProjectionOptions options = ProjectionOptions.of(bootstrap).withMaxBatchSize(3);
      Map<String, Balance> expected = new HashMap<>();

      ProjectionRunner first = ProjectionRunner.start(projection, db.dataSource(), serde, options);
      try (ProjectionRunner closedFirst = first) {
        for (String account : accounts) {
          bank.accept(account, new OpenAccount("o"));
          expected.put(account, new Balance("o", 0L, 1L));
        }
        awaitBalances(db, prefix, expected, first);

        try (ProjectionRunner second = ProjectionRunner.start(projection, db.dataSource(), serde,
            options)) {
          // The group rebalances: each instance gets some of the four partitions.
          await().atMost(DEADLINE).until(() -> !first.assignedPartitions().isEmpty()
              && !second.assignedPartitions().isEmpty()
              && first.assignedPartitions().size() + second.assignedPartitions().size() == 4);
          for (String account : accounts) {
            bank.accept(account, new Deposit(500L));
            expected.put(account, new Balance("o", 500L, 2L));
          }
          awaitBalances(db, prefix, expected, first, second);

          // The first instance leaves: the second takes over its partitions where the database says.
          first.close();
          assertThat(first.status()).isEqualTo(Status.STOPPED);
          await().atMost(DEADLINE).until(() -> second.assignedPartitions().size() == 4);
          for (String account : accounts) {
            bank.accept(account, new Withdraw(200L));
            expected.put(account, new Balance("o", 300L, 3L));
          }
          awaitBalances(db, prefix, expected, second);
          assertThat(appliedCount(db, prefix)).isEqualTo(24L);
          assertThat(second.status()).isEqualTo(Status.RUNNING);
        }
      }
    }
  }

  /** The balances projection that also records each applied event under a primary key. */
  private JdbcProjection audited(String name) {
    JdbcProjection balances = AccountBalances.projection(name, bank.eventTopic());
    List<String> schema = new ArrayList<>(balances.schema());
    schema.add("CREATE TABLE IF NOT EXISTS applied_event (stream_id VARCHAR(200) NOT NULL, "
        + "version BIGINT NOT NULL, PRIMARY KEY (stream_id, version))");
    schema.add("CREATE TABLE IF NOT EXISTS clear_log (projection VARCHAR(200) NOT NULL)");
    return new JdbcProjection(name, balances.events(), schema, (event, connection) -> {
      balances.handler().handle(event, connection);
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO applied_event (stream_id, version) VALUES (?, ?)")) {
        insert.setString(1, event.streamId());
        insert.setLong(2, event.version());
        insert.executeUpdate();
      }
    }, connection -> {
      balances.clear().run(connection);
      try (PreparedStatement log = connection.prepareStatement(
          "INSERT INTO clear_log (projection) VALUES (?)")) {
        log.setString(1, name);
        log.executeUpdate();
      }
    });
  }

  private static void awaitBalances(TestDatabase db, String prefix, Map<String, Balance> expected,
      ProjectionRunner... runners) {
    await().atMost(DEADLINE).untilAsserted(() -> {
      for (ProjectionRunner runner : runners) {
        // A parked runner will never catch up: say why at once instead of timing out.
        assertThat(runner.failure()).as("failure of %s", runner).isEmpty();
      }
      assertThat(balances(db.dataSource(), prefix)).isEqualTo(expected);
    });
  }

  private static Map<String, Balance> balances(DataSource dataSource, String prefix)
      throws SQLException {
    Map<String, Balance> rows = new TreeMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT account_id, owner, "
            + "balance_cents, version FROM account_balance WHERE account_id LIKE ?")) {
      select.setString(1, prefix + "%");
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          rows.put(result.getString(1),
              new Balance(result.getString(2), result.getLong(3), result.getLong(4)));
        }
      }
    }
    return rows;
  }

  private static long appliedCount(TestDatabase db, String prefix) throws SQLException {
    return db.queryLong("SELECT COUNT(*) FROM applied_event WHERE stream_id LIKE '" + prefix + "%'");
  }


  private static Map<TopicPartition, Long> kafkaOffsets(Admin admin, String groupId)
      throws Exception {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    committed.forEach((partition, offset) -> {
      if (offset != null) {
        offsets.put(partition, offset.offset());
      }
    });
    return offsets;
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }
}
