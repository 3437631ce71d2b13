package io.eskafka.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.GatewayOptions;
import io.eskafka.examples.Demo;
import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * {@code eskafka projection list|status|reset} against a real projection on the embedded broker:
 * the reset is refused while the projection runs, done once it is stopped, and its next start
 * rebuilds the read model (a row tampered with in between comes back right).
 */
class ProjectionCliIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private record Run(int exitCode, String out, String err) {}

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();

  private Run eskafka(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "-b";
    all[args.length + 1] = bootstrap;
    int code = new Eskafka(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(all);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void resetThroughTheCliRebuildsTheReadModel() throws Exception {
    String name = "proj-cli-" + UUID.randomUUID().toString().substring(0, 8);
    AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount(name);
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(2, (short) 1));
    }
    AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    String group = name + "-balances";
    try (AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde,
            AppOptions.of(bootstrap, name + "-app")).start().awaitRunning(DEADLINE);
        CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
            GatewayOptions.of(bootstrap).withTimeout(DEADLINE))) {
      for (int i = 0; i < 4; i++) {
        gateway.send(CommandRequest.of("acc-" + i, new OpenAccount("owner " + i)))
            .get(90, TimeUnit.SECONDS);
        gateway.send(CommandRequest.of("acc-" + i, new Deposit(100L * (i + 1))))
            .get(90, TimeUnit.SECONDS);
      }
    }

    Map<String, Long> original;
    try (ProjectionRunner runner = start(group, aggregate, h2, serde)) {
      await().atMost(DEADLINE).until(() -> balances(h2).size() == 4
          && balances(h2).get("acc-3") == 400L);
      original = balances(h2);

      Run refused = eskafka("projection", "reset", group, "--to-earliest");
      assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
      assertThat(refused.err()).contains(group).contains("active member");

      Run status = eskafka("projection", "status", group);
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains(group + "  running  1 member(s)")
          .contains(aggregate.topics().events() + "-0");
    }

    // While stopped, someone corrupts the read model; a rebuild must not keep it.
    try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE " + AccountBalances.TABLE
          + " SET balance_cents = 999999 WHERE account_id = 'acc-0'");
    }
    assertThat(eskafka("projection", "list").out().lines()).contains(group);
    Run dryRun = eskafka("projection", "reset", group, "--to-earliest", "--dry-run");
    assertThat(dryRun.out()).startsWith("would reset " + group + " to earliest:");

    Run reset = eskafka("projection", "reset", group, "--to-earliest");
    assertThat(reset.exitCode()).as(reset.err()).isZero();
    assertThat(reset.out()).startsWith("reset " + group + " to earliest (reset id ")
        .contains(aggregate.topics().events() + "-0: ").contains(" -> 0");

    try (ProjectionRunner runner = start(group, aggregate, h2, serde)) {
      Run watch = eskafka("projection", "status", group, "--watch", "--timeout", "PT90S");
      assertThat(watch.exitCode()).as(watch.err()).isZero();
      assertThat(watch.out()).contains("100%");
      await().atMost(DEADLINE).until(() -> balances(h2).equals(original));
    }
  }

  @Test
  void badTargetsAreUsageErrorsNamingTheOption() {
    Run datetime = eskafka("projection", "reset", "any", "--to-datetime", "yesterday");
    assertThat(datetime.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(datetime.err()).contains("--to-datetime: 'yesterday' is not an ISO-8601 instant");
    Run none = eskafka("projection", "reset", "any");
    assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(none.err()).contains("--to-earliest", "--to-datetime", "--to-offset");
    Run unknown = eskafka("projection", "reset", "never-ran-" + UUID.randomUUID(), "--to-earliest");
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(unknown.err()).contains("nothing to reset");
  }

  private static ProjectionRunner start(String group, AggregateDefinition<?> aggregate,
      JdbcDataSource h2, AvroSerde serde) throws SQLException {
    return ProjectionRunner.start(AccountBalances.projection(group, aggregate.topics().events()),
        h2, serde, ProjectionOptions.of(EmbeddedKafka.shared().bootstrapServers()));
  }

  private static Map<String, Long> balances(JdbcDataSource h2) throws SQLException {
    Map<String, Long> balances = new TreeMap<>();
    try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT account_id, balance_cents FROM "
            + AccountBalances.TABLE)) {
      while (rows.next()) {
        balances.put(rows.getString(1), rows.getLong(2));
      }
    }
    return balances;
  }
}
