package io.eskafka.internal.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The table where JDBC projections keep their per-partition next offsets, committed in the same
 * transaction as their read-model changes. Stateless; every method works inside the caller's
 * transaction and never commits.
 *
 * <p>Plain, portable SQL (H2 and PostgreSQL): no upsert dialect. An offset row is advanced with a
 * conditional {@code UPDATE … WHERE next_offset = <the value this instance last saw>}, so an
 * instance that lost a partition without noticing (a "zombie" past its poll interval) cannot
 * commit a batch over the new owner's progress: its update matches no row and the batch rolls
 * back.
 *
 * <p>A second table, {@value #STATE_TABLE}, has one row per projection: the lock that serializes
 * rebuild decisions between instances, and the fingerprint of a reset whose rebuild is committed
 * but not yet acknowledged in Kafka (see {@code ProjectionRunner}).
 */
public final class JdbcOffsetTable {

  /** Name of the table, shared by every projection of a database. */
  public static final String TABLE = "eskafka_projection_offsets";

  private static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
      + "projection VARCHAR(249) NOT NULL, "
      + "topic VARCHAR(249) NOT NULL, "
      + "partition_no INTEGER NOT NULL, "
      + "next_offset BIGINT NOT NULL, "
      + "PRIMARY KEY (projection, topic, partition_no))";

  /** One row per JDBC projection: the rebuild lock and the pending reset. */
  public static final String STATE_TABLE = "eskafka_projection_state";

  private static final String CREATE_STATE = "CREATE TABLE IF NOT EXISTS " + STATE_TABLE + " ("
      + "projection VARCHAR(249) NOT NULL PRIMARY KEY, "
      + "pending_reset VARCHAR(64))";

  private JdbcOffsetTable() {}

  /**
   * Creates the table unless it exists.
   *
   * @param connection an open connection, not {@code null}
   * @throws SQLException from the database
   */
  public static void create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(CREATE);
      statement.execute(CREATE_STATE);
    }
  }

  /**
   * Creates the projection's state row unless it exists, in its own transaction (a concurrent
   * insert by another instance is fine).
   *
   * @param connection an open connection with auto-commit off, not {@code null}
   * @param projection the projection's name, not {@code null}
   * @throws SQLException from the database, other than a concurrent insert
   */
  public static void ensureStateRow(Connection connection, String projection)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
            "SELECT 1 FROM " + STATE_TABLE + " WHERE projection = ?");
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + STATE_TABLE + " (projection, pending_reset) VALUES (?, NULL)")) {
      select.setString(1, projection);
      try (ResultSet rows = select.executeQuery()) {
        if (rows.next()) {
          connection.commit();
          return;
        }
      }
      insert.setString(1, projection);
      insert.executeUpdate();
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      if (!isUniqueViolation(e)) {
        throw e;
      }
    }
  }

  /**
   * Locks the projection's state row until the caller's transaction ends and reads the pending
   * reset: instances deciding whether to rebuild take turns here.
   *
   * @param connection the transaction's connection, not {@code null}
   * @param projection the projection's name, not {@code null}
   * @return the fingerprint of the reset whose rebuild is committed but not yet acknowledged in
   *     Kafka, or {@code null}
   * @throws SQLException from the database, or when the row is missing
   */
  public static String lockState(Connection connection, String projection) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT pending_reset FROM "
        + STATE_TABLE + " WHERE projection = ? FOR UPDATE")) {
      select.setString(1, projection);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("no row for projection " + projection + " in " + STATE_TABLE
              + " (the runner creates it on start)");
        }
        return rows.getString(1);
      }
    }
  }

  /**
   * Records the reset whose rebuild the caller's transaction commits.
   *
   * @param connection the transaction's connection, not {@code null}
   * @param projection the projection's name, not {@code null}
   * @param fingerprint the reset's fingerprint, not {@code null}
   * @throws SQLException from the database
   */
  public static void markPendingReset(Connection connection, String projection,
      String fingerprint) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE " + STATE_TABLE + " SET pending_reset = ? WHERE projection = ?")) {
      update.setString(1, fingerprint);
      update.setString(2, projection);
      update.executeUpdate();
    }
  }

  /**
   * Forgets the pending reset once Kafka shows it acknowledged, inside the caller's transaction.
   *
   * @param connection the transaction's connection, not {@code null}
   * @param projection the projection's name, not {@code null}
   * @param fingerprint forget only this reset; {@code null} for whichever is pending
   * @throws SQLException from the database
   */
  public static void clearPendingReset(Connection connection, String projection,
      String fingerprint) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE " + STATE_TABLE
        + " SET pending_reset = NULL WHERE projection = ? AND "
        + (fingerprint == null ? "pending_reset IS NOT NULL" : "pending_reset = ?"))) {
      update.setString(1, projection);
      if (fingerprint != null) {
        update.setString(2, fingerprint);
      }
      update.executeUpdate();
    }
  }

  /**
   * Replaces all of a projection's stored offsets, inside the caller's transaction: a rebuild
   * starts from exactly these.
   *
   * @param connection the transaction's connection, not {@code null}
   * @param projection the projection's name, not {@code null}
   * @param offsets the next offset per partition; partitions left out start from the beginning
   * @throws SQLException from the database
   */
  public static void replace(Connection connection, String projection,
      Map<TopicPartition, Long> offsets) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM " + TABLE + " WHERE projection = ?");
        PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE
            + " (projection, topic, partition_no, next_offset) VALUES (?, ?, ?, ?)")) {
      delete.setString(1, projection);
      delete.executeUpdate();
      for (Map.Entry<TopicPartition, Long> entry : offsets.entrySet()) {
        insert.setString(1, projection);
        insert.setString(2, entry.getKey().topic());
        insert.setInt(3, entry.getKey().partition());
        insert.setLong(4, entry.getValue());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /**
   * Reads a projection's stored next offsets.
   *
   * @param connection an open connection, not {@code null}
   * @param projection the projection's name, not {@code null}
   * @return next offset per partition, for partitions that have one; a new mutable map
   * @throws SQLException from the database
   */
  public static Map<TopicPartition, Long> load(Connection connection, String projection)
      throws SQLException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT topic, partition_no, next_offset FROM " + TABLE + " WHERE projection = ?")) {
      select.setString(1, projection);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          offsets.put(new TopicPartition(rows.getString(1), rows.getInt(2)), rows.getLong(3));
        }
      }
    }
    return offsets;
  }

  /**
   * Moves a projection's offsets forward, inside the caller's transaction.
   *
   * @param connection the transaction's connection, not {@code null}
   * @param projection the projection's name, not {@code null}
   * @param next the new next offset per partition, not {@code null}
   * @param expected the stored next offset this instance believes each partition has; a partition
   *     missing here is expected to have no row yet; not {@code null}
   * @return {@code false} when some partition's stored offset was not the expected one (another
   *     instance moved it; the caller must roll back), {@code true} otherwise
   * @throws SQLException from the database, other than a concurrent first insert
   */
  public static boolean advance(Connection connection, String projection,
      Map<TopicPartition, Long> next, Map<TopicPartition, Long> expected) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE " + TABLE
            + " SET next_offset = ? WHERE projection = ? AND topic = ? AND partition_no = ?"
            + " AND next_offset = ?");
        PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE
            + " (projection, topic, partition_no, next_offset) VALUES (?, ?, ?, ?)")) {
      for (Map.Entry<TopicPartition, Long> entry : next.entrySet()) {
        TopicPartition partition = entry.getKey();
        Long previous = expected.get(partition);
        if (previous != null) {
          update.setLong(1, entry.getValue());
          update.setString(2, projection);
          update.setString(3, partition.topic());
          update.setInt(4, partition.partition());
          update.setLong(5, previous);
          if (update.executeUpdate() != 1) {
            return false;
          }
        } else {
          insert.setString(1, projection);
          insert.setString(2, partition.topic());
          insert.setInt(3, partition.partition());
          insert.setLong(4, entry.getValue());
          try {
            insert.executeUpdate();
          } catch (SQLException e) {
            // SQLSTATE class 23 (integrity constraint violation): another instance inserted the
            // row first. Any other failure is the database's.
            if (isUniqueViolation(e)) {
              return false;
            }
            throw e;
          }
        }
      }
    }
    return true;
  }

  // SQLSTATE class 23: integrity constraint violation (here: another instance inserted first).
  private static boolean isUniqueViolation(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("23");
  }
}
