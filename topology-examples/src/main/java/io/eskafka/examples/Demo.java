package io.eskafka.examples;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.GatewayOptions;
import io.eskafka.client.StreamState;
import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.BankAccount;
import io.eskafka.examples.bank.TransactionsPerDay;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.commands.Withdraw;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.ProjectionAdmin;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionProgress;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.ProjectionStatus;
import io.eskafka.kafka.ResetResult;
import io.eskafka.kafka.ResetTarget;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.projection.JdbcProjection;
import io.eskafka.testing.EmbeddedKafka;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The bank-account demo: an embedded Kafka broker, the aggregate running as a Kafka Streams app,
 * a scripted scenario that shows every kind of outcome, then two JDBC read models (account
 * balances, transactions per day) in H2, one of which is replayed from the beginning and compared
 * with what it was. Exits 0 when everything happened as expected, 1 otherwise.
 */
public final class Demo {

  /**
   * Outcomes of one scenario run, for the end-to-end test.
   *
   * @param results each command's result, by step label
   * @param deadLetterHeaders the headers of the garbage command's dead letter
   * @param finalStates the accounts' final states from the snapshot store
   * @param balances rows of the account-balances read model
   * @param dayTotals rows of the transactions-per-day read model before the replay
   * @param rebuiltDayTotals its rows after the reset to earliest and the rebuild
   */
  public record Outcome(Map<String, CommandResult> results, Map<String, String> deadLetterHeaders,
      Map<String, StreamState<BankAccountState>> finalStates, List<String> balances,
      List<String> dayTotals, List<String> rebuiltDayTotals) {}

  /** Name of the bank-account aggregate in the demo; its topics are {@code bank-account.*}. */
  public static final String AGGREGATE_NAME = "bank-account";

  private Demo() {}

  /**
   * The bank account deployed under a name (tests use their own names on a shared broker).
   *
   * @param name aggregate name, prefixes its topics and stores
   * @return the definition
   */
  public static AggregateDefinition<BankAccountState> bankAccount(String name) {
    return AggregateDefinition.of(name, BankAccount.decider());
  }

  /**
   * Runs the demo on an embedded broker.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    long started = System.nanoTime();
    PrintStream out = System.out;
    out.println("== eskafka demo: bank accounts on an embedded Kafka broker ==");
    int status = 0;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      out.printf("broker     : KRaft broker at %s, ready in %d ms%n", kafka.bootstrapServers(),
          kafka.startupDuration().toMillis());
      run(kafka.bootstrapServers(), bankAccount(AGGREGATE_NAME), "bank-demo", out);
    } catch (Exception e) {
      System.err.println("demo failed: " + e);
      e.printStackTrace();
      status = 1;
    }
    out.printf("%s in %.1f s%n", status == 0 ? "done" : "FAILED", (System.nanoTime() - started) / 1e9);
    // Kafka client and broker threads may outlive close() by a moment; the demo is over.
    System.exit(status);
  }

  /**
   * Creates the topics, starts the app and runs the scenario against a broker.
   *
   * @param bootstrapServers the broker
   * @param aggregate the bank-account aggregate, under the name to use
   * @param applicationId Kafka Streams application id to use
   * @param out where each outcome is printed
   * @return what happened
   * @throws Exception on failure
   */
  public static Outcome run(String bootstrapServers,
      AggregateDefinition<BankAccountState> aggregate, String applicationId, PrintStream out)
      throws Exception {
    AggregateTopics topics = aggregate.topics();
    try (TopicApplier applier = new TopicApplier(bootstrapServers)) {
      applier.apply(topics.specs(3, (short) 1));
    }
    out.printf("topics     : %s, %s (compacted), %s, %s%n", topics.commands(), topics.events(),
        topics.commandResults(), topics.dlq());

    AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
    Map<String, CommandResult> results = new LinkedHashMap<>();
    try (AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde,
            AppOptions.of(bootstrapServers, applicationId)).start()) {
      app.awaitRunning(Duration.ofSeconds(60));
      out.println("app        : " + applicationId + " RUNNING (exactly_once_v2, RocksDB stores)");
      try (CommandGateway gateway = CommandGateway.connect(topics, serde,
          GatewayOptions.of(bootstrapServers).withTimeout(Duration.ofSeconds(30)))) {
        step(out, results, "open acc-1 for Ada", gateway, CommandRequest.of("acc-1", new OpenAccount("Ada")));
        step(out, results, "open acc-2 for Bob", gateway, CommandRequest.of("acc-2", new OpenAccount("Bob")));
        step(out, results, "deposit 100.00 to acc-1", gateway, CommandRequest.of("acc-1", new Deposit(10_000L)));
        step(out, results, "deposit 25.50 to acc-2", gateway, CommandRequest.of("acc-2", new Deposit(2_550L)));
        step(out, results, "withdraw 30.00 from acc-1", gateway, CommandRequest.of("acc-1", new Withdraw(3_000L)));
        step(out, results, "overdraft: withdraw 500.00 from acc-2", gateway,
            CommandRequest.of("acc-2", new Withdraw(50_000L)));
        step(out, results, "stale version: deposit to acc-1 expecting v1", gateway,
            CommandRequest.of("acc-1", new Deposit(100L)).expectingVersion(1));
        CommandRequest deposit = CommandRequest.of("acc-2", new Deposit(1_000L));
        step(out, results, "deposit 10.00 to acc-2", gateway, deposit);
        step(out, results, "re-send the same command id", gateway, deposit);
      }
      Map<String, String> deadLetter = sendGarbageAndReadDlq(bootstrapServers, topics, out);

      Map<String, StreamState<BankAccountState>> states = new LinkedHashMap<>();
      out.println("final balances (interactive query of the snapshot store):");
      for (String account : List.of("acc-1", "acc-2")) {
        StreamState<BankAccountState> state = app.currentState(account).orElseThrow();
        states.put(account, state);
        out.printf("  %s  owner=%-4s version=%d  balance=%s%n", account, state.state().getOwner(),
            state.version(), money(state.state().getBalanceCents()));
      }
      ReadModels readModels = runProjections(bootstrapServers, topics, serde, applicationId, out);
      return new Outcome(results, deadLetter, states, readModels.balances(),
          readModels.dayTotals(), readModels.rebuiltDayTotals());
    }
  }

  /** The read models' rows as the demo printed them. */
  private record ReadModels(List<String> balances, List<String> dayTotals,
      List<String> rebuiltDayTotals) {}

  /**
   * Runs the two JDBC read models over the events into an in-memory H2 database, then replays one:
   * stops it, resets its group to earliest, starts it again and compares the rebuilt table.
   */
  private static ReadModels runProjections(String bootstrapServers, AggregateTopics topics,
      AvroSerde serde, String applicationId, PrintStream out) throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + applicationId + ";DB_CLOSE_DELAY=-1");
    ProjectionOptions options = ProjectionOptions.of(bootstrapServers)
        .withGroupIdPrefix(applicationId + ".");
    JdbcProjection balances = AccountBalances.projection("account-balances", topics.events());
    JdbcProjection dayTotals = TransactionsPerDay.projection("transactions-per-day",
        topics.events());
    try (ProjectionAdmin admin = ProjectionAdmin.connect(bootstrapServers);
        ProjectionRunner balancesRunner = ProjectionRunner.start(balances, h2, serde, options)) {
      List<String> balanceRows;
      List<String> dayRows;
      try (ProjectionRunner dayRunner = ProjectionRunner.start(dayTotals, h2, serde, options)) {
        awaitCaughtUp(admin, balancesRunner);
        awaitCaughtUp(admin, dayRunner);
        out.printf("projections: %s, %s caught up (H2, exactly-once)%n", balancesRunner.groupId(),
            dayRunner.groupId());
        balanceRows = rows(h2, "SELECT account_id, owner, balance_cents, version FROM "
            + AccountBalances.TABLE + " ORDER BY account_id", 4);
        dayRows = rows(h2, "SELECT account_id, day_utc, deposits, deposited_cents, withdrawals, "
            + "withdrawn_cents FROM " + TransactionsPerDay.TABLE + " ORDER BY account_id, day_utc", 6);
        out.println(AccountBalances.TABLE + " (account, owner, balance cents, version):");
        balanceRows.forEach(row -> out.println("  " + row));
        out.println(TransactionsPerDay.TABLE
            + " (account, UTC day, deposits, cents, withdrawals, cents):");
        dayRows.forEach(row -> out.println("  " + row));
      }
      ResetResult reset = admin.reset(options.groupIdPrefix() + dayTotals.name(),
          ResetTarget.earliest());
      out.printf("replay     : stopped %s, reset to earliest (%s)%n", reset.groupId(),
          reset.partitions().stream().map(ResetResult.PartitionReset::describe)
              .collect(Collectors.joining(", ")));
      List<String> rebuilt;
      try (ProjectionRunner dayRunner = ProjectionRunner.start(dayTotals, h2, serde, options)) {
        awaitCaughtUp(admin, dayRunner);
        ProjectionProgress progress = dayRunner.progress();
        rebuilt = rows(h2, "SELECT account_id, day_utc, deposits, deposited_cents, withdrawals, "
            + "withdrawn_cents FROM " + TransactionsPerDay.TABLE + " ORDER BY account_id, day_utc", 6);
        out.printf("replay     : restarted, table cleared and rebuilt by replaying %d offsets; %s%n",
            progress.eventsTotal(), rebuilt.equals(dayRows)
                ? "rebuilt table equals the original (" + rebuilt.size() + " rows)"
                : "REBUILT TABLE DIFFERS: " + rebuilt);
        ProjectionStatus status = admin.status(dayRunner.groupId());
        out.printf("status     : %s %s, %d member(s), lag %d%n", status.groupId(), status.state(),
            status.members().size(), status.totalLag());
      }
      if (!rebuilt.equals(dayRows)) {
        throw new IllegalStateException("the rebuilt " + TransactionsPerDay.TABLE
            + " differs from the original");
      }
      return new ReadModels(balanceRows, dayRows, rebuilt);
    } finally {
      try (Connection connection = h2.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("SHUTDOWN");
      }
    }
  }

  /** Until the runner has no backlog and its group's committed offsets have no lag. */
  private static void awaitCaughtUp(ProjectionAdmin admin, ProjectionRunner runner)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (runner.failure().isPresent()) {
        throw runner.failure().get();
      }
      if (!runner.progress().replaying() && !runner.assignedPartitions().isEmpty()
          && admin.status(runner.groupId()).totalLag() == 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(runner.groupId() + " did not catch up in 60 s");
  }

  private static List<String> rows(DataSource dataSource, String sql, int columns)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        List<String> cells = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          cells.add(result.getString(i));
        }
        rows.add(String.join("  ", cells));
      }
    }
    return rows;
  }

  private static void step(PrintStream out, Map<String, CommandResult> results, String label,
      CommandGateway gateway, CommandRequest request) throws Exception {
    long sent = System.nanoTime();
    CommandResult result = gateway.send(request).get(60, TimeUnit.SECONDS);
    long millis = (System.nanoTime() - sent) / 1_000_000;
    String key = results.containsKey(label) ? label + " #" + results.size() : label;
    results.put(key, result);
    out.printf("%-46s -> %s (%d ms)%n", label, result.summary(), millis);
  }

  private static Map<String, String> sendGarbageAndReadDlq(String bootstrapServers,
      AggregateTopics topics, PrintStream out) throws Exception {
    String commandId = UUID.randomUUID().toString();
    Map<String, Object> producerConfig = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig,
        new ByteArraySerializer(), new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> garbage = new ProducerRecord<>(topics.commands(),
          "acc-1".getBytes(StandardCharsets.UTF_8),
          "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8));
      garbage.headers().add(MessageHeaders.COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8));
      producer.send(garbage).get();
    }
    Map<String, Object> consumerConfig = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, "demo-dlq-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.dlq()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          Map<String, String> headers = new LinkedHashMap<>();
          for (Header h : record.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
          }
          if (commandId.equals(headers.get(MessageHeaders.COMMAND_ID))) {
            List<String> shown = new ArrayList<>();
            for (String name : List.of(MessageHeaders.DLQ_REASON, MessageHeaders.DLQ_EXCEPTION_CLASS,
                MessageHeaders.DLQ_SOURCE_TOPIC, MessageHeaders.DLQ_SOURCE_PARTITION,
                MessageHeaders.DLQ_SOURCE_OFFSET)) {
              shown.add(name.substring("eskafka.dlq.".length()) + "=" + headers.get(name));
            }
            out.printf("%-46s -> DLQ %s %s%n", "garbage bytes on " + topics.commands(),
                topics.dlq(), shown);
            return headers;
          }
        }
      }
    }
    throw new IllegalStateException("garbage record did not reach " + topics.dlq() + " in 60 s");
  }

  private static String money(long cents) {
    return String.format("%d.%02d", cents / 100, Math.abs(cents % 100));
  }

}
