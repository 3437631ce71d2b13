package io.eskafka.projection;

import java.sql.Connection;
import java.sql.SQLException;

/** Applies one event to a read model in a database: the handler of a {@link JdbcProjection}. */
@FunctionalInterface
public interface JdbcEventHandler {

  /**
   * Applies an event inside the current transaction. Called on the runner's thread, one event at a
   * time, in order per partition; the runner commits the transaction (with the projection's
   * offsets) after the whole poll batch.
   *
   * @param event the event, never {@code null}
   * @param connection the open connection of the current transaction (auto-commit off), never
   *     {@code null}; do not commit, roll back or close it
   * @throws SQLException to roll the batch back and stop (park) the projection at this batch
   */
  void handle(EventEnvelope event, Connection connection) throws SQLException;
}
