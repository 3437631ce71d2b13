package io.eskafka.bench;

import io.eskafka.examples.bank.AccountBalances;
import io.eskafka.examples.bank.events.AccountOpened;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.projection.EventEnvelope;
import io.eskafka.projection.JdbcProjection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The account-balances read model's own limit: its statements ({@link AccountBalances#apply}, one
 * per event) in transactions of a batch, against a fresh in-memory H2 database, with no Kafka and
 * no projection runner. A JDBC replay cannot be faster than this; its ratio to it is the runner's
 * share.
 */
final class ReadModelLimit {

  private ReadModelLimit() {}

  /**
   * Applies {@code events} events (an {@code AccountOpened} per account, then deposits round-robin,
   * like the backlog) and returns events per second.
   */
  static double accountBalancesH2(long events, int accounts, int batchSize) throws SQLException {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:bench-read-model-limit;DB_CLOSE_DELAY=-1");
    try (Connection connection = h2.getConnection()) {
      JdbcProjection schema = AccountBalances.projection("bench-read-model-limit", "unused");
      try (Statement statement = connection.createStatement()) {
        for (String ddl : schema.schema()) {
          statement.execute(ddl);
        }
      }
      connection.setAutoCommit(false);
      Instant now = Instant.now();
      long[] versions = new long[accounts];
      MoneyDeposited deposit = new MoneyDeposited(1L, 1L);
      long start = System.nanoTime();
      for (long i = 0; i < events; i++) {
        int account = (int) (i % accounts);
        String stream = CommandLoad.account(account);
        long version = ++versions[account];
        SpecificRecord event = i < accounts ? new AccountOpened("owner-" + i) : deposit;
        AccountBalances.apply(new EventEnvelope(stream, version, null,
            event.getSchema().getFullName(), now, "unused", 0, i, event), connection);
        if ((i + 1) % batchSize == 0) {
          connection.commit();
        }
      }
      connection.commit();
      double perSecond = events / ((System.nanoTime() - start) / 1e9);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SHUTDOWN");
      }
      return perSecond;
    }
  }
}
