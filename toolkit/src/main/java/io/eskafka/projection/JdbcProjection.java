package io.eskafka.projection;

import java.util.List;
import java.util.Objects;

/**
 * A projection into a relational database with exactly-once effects: the read-model changes of a
 * poll batch and the projection's next offsets commit in one database transaction, and the
 * database, not Kafka, says where to resume. Immutable.
 *
 * @param name the projection's name (see {@link Projection#name()})
 * @param events what it reads, never {@code null}
 * @param schema DDL statements creating the read model, run in order on every start, so each must
 *     be idempotent ({@code CREATE TABLE IF NOT EXISTS …}); may be empty, never {@code null}
 * @param handler applies an event inside the batch's transaction, never {@code null}
 * @param clear empties the read model, never {@code null}: run when the runner finds the group's
 *     offsets reset, in the same transaction that moves the stored offsets to the reset position
 *     (so use {@code DELETE}, not {@code TRUNCATE}, which some databases commit on their own)
 */
public record JdbcProjection(
    String name,
    EventSelection events,
    List<String> schema,
    JdbcEventHandler handler,
    JdbcStatements clear) implements Projection {

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the name is not legal
   */
  public JdbcProjection {
    ProjectionName.requireLegal(name);
    Objects.requireNonNull(events, "events");
    schema = List.copyOf(schema);
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(clear, "clear");
  }
}
