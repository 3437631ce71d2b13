package io.eskafka.bench;

import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.kafka.ProjectionOptions;
import io.eskafka.kafka.ProjectionRunner;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.projection.AtLeastOnceProjection;
import io.eskafka.projection.EventSelection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Replays a whole event topic through a projection in a fresh consumer group, the way a user's
 * rebuild does, and checks what the projection built.
 */
final class ReplayLoad {

  private static final Duration MAX_WAIT = Duration.ofMinutes(30);

  /** A replay's rate in events/s, excluding start-up (time to the group's first commit). */
  record Outcome(double perSecond, double startupSeconds) {}

  private ReplayLoad() {}

  /**
   * The account-balances JDBC projection (exactly-once effects) into an in-memory H2 database.
   * Checks that it holds a row per account and that the versions add up to the events read.
   */
  static Outcome accountBalances(String bootstrap, String eventTopic, String group,
      AvroSerde serde, RawConsumer.Read events, int accounts, int batchSize,
      GroupProgress progress) throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + group + ";DB_CLOSE_DELAY=-1");
    try {
      long started = System.nanoTime();
      GroupProgress.Rate rate;
      try (ProjectionRunner runner = ProjectionRunner.start(
          AccountBalances.projection(group, eventTopic), h2, serde,
          ProjectionOptions.of(bootstrap).withMaxBatchSize(batchSize))) {
        rate = progress.await(group, events.nextOffsets(), started, MAX_WAIT);
        check(runner);
      }
      try (Connection connection = h2.getConnection();
          Statement statement = connection.createStatement();
          ResultSet row = statement.executeQuery("SELECT COUNT(*), SUM(version) FROM "
              + AccountBalances.TABLE)) {
        row.next();
        // An account's version is the number of its events: the sum counts every event once.
        // (Other workloads may have opened a few more accounts than the backlog's.)
        if (row.getLong(1) < accounts || row.getLong(2) != events.records()) {
          throw new IllegalStateException("replayed table holds " + row.getLong(1)
              + " accounts and " + row.getLong(2) + " events; expected at least " + accounts
              + " and " + events.records());
        }
      }
      return outcome(rate, events);
    } finally {
      shutdown(h2);
    }
  }

  /**
   * An at-least-once projection whose handler only counts: the runner's own cost (fetch, decode,
   * envelope, commit) without a database.
   */
  static Outcome counting(String bootstrap, String eventTopic, String group, AvroSerde serde,
      RawConsumer.Read events, int batchSize, GroupProgress progress) throws Exception {
    AtomicLong handled = new AtomicLong();
    long started = System.nanoTime();
    GroupProgress.Rate rate;
    try (ProjectionRunner runner = ProjectionRunner.start(new AtLeastOnceProjection(group,
        EventSelection.of(eventTopic), event -> handled.incrementAndGet()), serde,
        ProjectionOptions.of(bootstrap).withMaxBatchSize(batchSize))) {
      rate = progress.await(group, events.nextOffsets(), started, MAX_WAIT);
      check(runner);
    }
    // One instance, no rebalance: at-least-once delivers each event exactly once here.
    if (handled.get() != events.records()) {
      throw new IllegalStateException("counting projection handled " + handled.get()
          + " events; the topic holds " + events.records());
    }
    return outcome(rate, events);
  }

  private static void check(ProjectionRunner runner) {
    if (runner.status() != ProjectionRunner.Status.RUNNING) {
      throw new IllegalStateException(runner + " stopped: " + runner.failure().orElse(null));
    }
  }

  // Progress is measured in offsets; an event topic written in transactions also holds commit
  // markers (one offset each), so offsets are converted back to events by the topic's own ratio.
  private static Outcome outcome(GroupProgress.Rate rate, RawConsumer.Read events) {
    long offsets = events.nextOffsets().values().stream().mapToLong(Long::longValue).sum();
    double eventsPerOffset = (double) events.records() / offsets;
    return new Outcome(rate.perSecond() * eventsPerOffset, rate.startupSeconds());
  }

  private static void shutdown(JdbcDataSource h2) throws SQLException {
    try (Connection connection = h2.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
    }
  }
}
