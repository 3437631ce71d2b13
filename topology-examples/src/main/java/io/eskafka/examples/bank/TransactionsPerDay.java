package io.eskafka.examples.bank;

import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.events.MoneyWithdrawn;
import io.eskafka.projection.EventEnvelope;
import io.eskafka.projection.EventSelection;
import io.eskafka.projection.JdbcProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The transactions-per-day read model: per account and UTC day (of the event's append time), how
 * many deposits and withdrawals there were and their sums, in {@code account_day_totals}. A JDBC
 * projection that reads only the two money events (the type filter skips the others without
 * decoding them). Plain SQL that runs on H2 and PostgreSQL.
 */
public final class TransactionsPerDay {

  /** The read model's table. */
  public static final String TABLE = "account_day_totals";

  private static final List<String> SCHEMA = List.of(
      "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
          + "account_id VARCHAR(200) NOT NULL, "
          + "day_utc VARCHAR(10) NOT NULL, "
          + "deposits INTEGER NOT NULL, "
          + "deposited_cents BIGINT NOT NULL, "
          + "withdrawals INTEGER NOT NULL, "
          + "withdrawn_cents BIGINT NOT NULL, "
          + "PRIMARY KEY (account_id, day_utc))");

  private TransactionsPerDay() {}

  /**
   * The projection over one bank-account event topic.
   *
   * @param name the projection's name (its consumer group), not {@code null}
   * @param eventTopic the bank-account aggregate's event topic, e.g. {@code bank-account.events}
   * @return the projection
   */
  public static JdbcProjection projection(String name, String eventTopic) {
    return new JdbcProjection(name,
        EventSelection.of(eventTopic).onlyTypes(MoneyDeposited.class, MoneyWithdrawn.class),
        SCHEMA, TransactionsPerDay::apply, TransactionsPerDay::clear);
  }

  /**
   * Adds one deposit or withdrawal to its account's day; other events are ignored.
   *
   * @param event the event, not {@code null}
   * @param connection the projection's transaction, not {@code null}
   * @throws SQLException from the database
   */
  public static void apply(EventEnvelope event, Connection connection) throws SQLException {
    String day = event.timestamp().atOffset(ZoneOffset.UTC).toLocalDate().toString();
    if (event.event() instanceof MoneyDeposited deposited) {
      add(connection, event.streamId(), day, 1, deposited.getAmountCents(), 0, 0L);
    } else if (event.event() instanceof MoneyWithdrawn withdrawn) {
      add(connection, event.streamId(), day, 0, 0L, 1, withdrawn.getAmountCents());
    }
  }

  // Portable upsert: update, insert when there was no row. The runner applies a partition's events
  // one at a time on one thread and an account lives in one partition, so nothing races here.
  private static void add(Connection connection, String account, String day, int deposit,
      long depositCents, int withdrawal, long withdrawalCents) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE " + TABLE
        + " SET deposits = deposits + ?, deposited_cents = deposited_cents + ?, "
        + "withdrawals = withdrawals + ?, withdrawn_cents = withdrawn_cents + ? "
        + "WHERE account_id = ? AND day_utc = ?")) {
      update.setInt(1, deposit);
      update.setLong(2, depositCents);
      update.setInt(3, withdrawal);
      update.setLong(4, withdrawalCents);
      update.setString(5, account);
      update.setString(6, day);
      if (update.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE
        + " (account_id, day_utc, deposits, deposited_cents, withdrawals, withdrawn_cents) "
        + "VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, account);
      insert.setString(2, day);
      insert.setInt(3, deposit);
      insert.setLong(4, depositCents);
      insert.setInt(5, withdrawal);
      insert.setLong(6, withdrawalCents);
      insert.executeUpdate();
    }
  }

  private static void clear(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("DELETE FROM " + TABLE);
    }
  }
}
