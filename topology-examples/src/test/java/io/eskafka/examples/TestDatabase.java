package io.eskafka.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh, private database for one test: an H2 in-memory database, or a new schema in the
 * PostgreSQL database {@code test} at 127.0.0.1:5432 (user {@code postgres}, trust auth), dropped
 * again on close.
 *
 * <p>When PostgreSQL is not reachable the test is skipped with the reason, unless the system
 * property {@code eskafka.require.postgres} is {@code true} (as in {@code .ci/run}): then it fails.
 */
final class TestDatabase implements AutoCloseable {

  /** The two databases the JDBC projections are tested on. */
  enum Kind { H2, POSTGRES }

  private static final String REQUIRE_POSTGRES = "eskafka.require.postgres";

  private final Kind kind;
  private final DataSource dataSource;
  private final String schema;

  private TestDatabase(Kind kind, DataSource dataSource, String schema) {
    this.kind = kind;
    this.dataSource = dataSource;
    this.schema = schema;
  }

  static TestDatabase open(Kind kind) {
    String unique = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    if (kind == Kind.H2) {
      JdbcDataSource h2 = new JdbcDataSource();
      // DB_CLOSE_DELAY=-1: the database lives until SHUTDOWN, not until its last connection closes
      // (the runner takes a connection per batch).
      h2.setURL("jdbc:h2:mem:" + unique + ";DB_CLOSE_DELAY=-1");
      return new TestDatabase(kind, h2, null);
    }
    String schema = "eskafka_" + unique;
    PGSimpleDataSource admin = postgres(null);
    try (Connection connection = admin.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      String reason = "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) is not reachable: "
          + e.getMessage();
      if (Boolean.getBoolean(REQUIRE_POSTGRES)) {
        throw new AssertionError(reason + " (and -D" + REQUIRE_POSTGRES + "=true)", e);
      }
      Assumptions.abort(reason + "; skipping (set -D" + REQUIRE_POSTGRES + "=true to fail instead)");
    }
    return new TestDatabase(kind, postgres(schema), schema);
  }

  private static PGSimpleDataSource postgres(String schema) {
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setServerNames(new String[] {"127.0.0.1"});
    postgres.setPortNumbers(new int[] {5432});
    postgres.setDatabaseName("test");
    postgres.setUser("postgres");
    postgres.setConnectTimeout(5);
    if (schema != null) {
      postgres.setCurrentSchema(schema);
    }
    return postgres;
  }

  DataSource dataSource() {
    return dataSource;
  }

  Kind kind() {
    return kind;
  }

  /** A suffix for names (projections, aggregates) that must differ between the two databases. */
  String suffix() {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /** The single number a query returns. */
  long queryLong(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * What a JDBC projection stored as its next offsets, read straight from its table (not through
   * the runner's own code, so the tests check what is really there).
   */
  Map<TopicPartition, Long> storedOffsets(String projection) throws SQLException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT topic, partition_no, "
            + "next_offset FROM eskafka_projection_offsets WHERE projection = ?")) {
      select.setString(1, projection);
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          offsets.put(new TopicPartition(result.getString(1), result.getInt(2)), result.getLong(3));
        }
      }
    }
    return offsets;
  }

  @Override
  public void close() throws SQLException {
    if (kind == Kind.H2) {
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("SHUTDOWN");
      }
      return;
    }
    try (Connection connection = postgres(null).getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }
}
