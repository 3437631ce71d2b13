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
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
              return false;
            }
            throw e;
          }
        }
      }
    }
    return true;
  }
}
