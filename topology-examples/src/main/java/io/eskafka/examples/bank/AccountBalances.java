package io.eskafka.examples.bank;

import io.eskafka.examples.bank.events.AccountClosed;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.events.MoneyWithdrawn;
import io.eskafka.projection.EventEnvelope;
import io.eskafka.projection.EventSelection;
import io.eskafka.projection.JdbcProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The account-balances read model: one row per bank account in {@code account_balance}, kept by a
 * JDBC projection with exactly-once effects. Plain SQL that runs on H2 and PostgreSQL.
 *
 * <p>Balances are maintained by adding and subtracting the amounts, not by copying the
 * {@code balanceCents} the events carry: an event applied twice would show in the balance, which
 * makes the tests of the exactly-once machinery sharper (the absolute balance would hide it).
 */
public final class AccountBalances {

  /** The read model's table. */
  public static final String TABLE = "account_balance";

  private static final List<String> SCHEMA = List.of(
      "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
          + "account_id VARCHAR(200) NOT NULL PRIMARY KEY, "
          + "owner VARCHAR(200) NOT NULL, "
          + "balance_cents BIGINT NOT NULL, "
          + "version BIGINT NOT NULL)");

  private AccountBalances() {}

  /**
   * The projection over one bank-account event topic.
   *
   * @param name the projection's name (its consumer group), not {@code null}
   * @param eventTopic the bank-account aggregate's event topic, e.g. {@code bank-account.events}
   * @return the projection
   */
  public static JdbcProjection projection(String name, String eventTopic) {
    return new JdbcProjection(name, EventSelection.of(eventTopic), SCHEMA,
        AccountBalances::apply, AccountBalances::clear);
  }

  /**
   * Applies one bank-account event to the table; other event types are ignored.
   *
   * @param event the event, not {@code null}
   * @param connection the projection's transaction, not {@code null}
   * @throws SQLException from the database
   */
  public static void apply(EventEnvelope event, Connection connection) throws SQLException {
    if (event.event() instanceof AccountOpened opened) {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE
          + " (account_id, owner, balance_cents, version) VALUES (?, ?, 0, ?)")) {
        insert.setString(1, event.streamId());
        insert.setString(2, opened.getOwner());
        insert.setLong(3, event.version());
        insert.executeUpdate();
      }
    } else if (event.event() instanceof MoneyDeposited deposited) {
      addToBalance(connection, event, deposited.getAmountCents());
    } else if (event.event() instanceof MoneyWithdrawn withdrawn) {
      addToBalance(connection, event, -withdrawn.getAmountCents());
    } else if (event.event() instanceof AccountClosed) {
      addToBalance(connection, event, 0L);
    }
  }

  private static void addToBalance(Connection connection, EventEnvelope event, long deltaCents)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE " + TABLE
        + " SET balance_cents = balance_cents + ?, version = ? WHERE account_id = ?")) {
      update.setLong(1, deltaCents);
      update.setLong(2, event.version());
      update.setString(3, event.streamId());
      if (update.executeUpdate() != 1) {
        // An account's first event opens it; a missing row means events were skipped.
        throw new SQLException("no row for account " + event.streamId() + " at " + event.position());
      }
    }
  }

  private static void clear(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("DELETE FROM " + TABLE);
    }
  }
}
