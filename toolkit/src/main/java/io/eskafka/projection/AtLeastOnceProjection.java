package io.eskafka.projection;

import java.util.Objects;

/**
 * A projection whose handler is idempotent: each event is handled, then its offset is committed to
 * Kafka after the poll batch. After a crash or a rebalance the events handled since the last
 * commit are handled again, so the handler must tolerate seeing an event twice.
 *
 * @param name the projection's name (see {@link Projection#name()})
 * @param events what it reads, never {@code null}
 * @param handler applies an event, never {@code null}
 */
public record AtLeastOnceProjection(String name, EventSelection events, EventHandler handler)
    implements Projection {

  /**
   * Validates.
   *
   * @throws IllegalArgumentException if the name is not legal
   */
  public AtLeastOnceProjection {
    ProjectionName.requireLegal(name);
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(handler, "handler");
  }
}
