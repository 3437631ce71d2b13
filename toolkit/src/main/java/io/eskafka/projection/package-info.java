/**
 * Read side: projections fed with the events of one or more aggregates, without any Kafka type.
 *
 * <p>A projection is a name (its consumer group), an {@link io.eskafka.projection.EventSelection}
 * (event topics and an optional event-type filter) and a handler: an
 * {@link io.eskafka.projection.AtLeastOnceProjection} for idempotent handlers, or a
 * {@link io.eskafka.projection.JdbcProjection} whose read-model changes and offsets commit in one
 * database transaction. {@code io.eskafka.kafka.ProjectionRunner} runs either kind.
 */
package io.eskafka.projection;
