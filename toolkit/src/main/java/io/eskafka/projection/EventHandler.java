package io.eskafka.projection;

/**
 * Applies one event to a read model that tolerates seeing an event again (an upsert keyed by
 * stream and version, a set, a cache): the handler of an {@link AtLeastOnceProjection}.
 */
@FunctionalInterface
public interface EventHandler {

  /**
   * Applies an event. Called on the runner's thread, one event at a time, in order per partition.
   *
   * @param event the event, never {@code null}
   * @throws Exception to stop (park) the projection at this event; its offset is not committed
   */
  void handle(EventEnvelope event) throws Exception;
}
