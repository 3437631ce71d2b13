package io.eskafka.projection;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on a connection, such as emptying a read model before a replay. */
@FunctionalInterface
public interface JdbcStatements {

  /**
   * Runs the statements inside the caller's transaction.
   *
   * @param connection the open connection (auto-commit off), never {@code null}; do not commit,
   *     roll back or close it
   * @throws SQLException to roll the caller's transaction back
   */
  void run(Connection connection) throws SQLException;
}
