package io.eskafka.client;

import java.util.Objects;

/**
 * Which application instance serves a stream's queries: the one running the task of the stream's
 * partition. Immutable.
 *
 * @param streamId the stream
 * @param partition the partition of the aggregate's command and event topics holding the stream
 * @param host {@code host:port} of the owning instance as it advertises itself ({@code
 *     application.server}, see {@code AppOptions.withApplicationServer}), or {@code null} when the
 *     instances advertise no address or the owner is not known right now (rebalancing)
 * @param local true when this instance owns the stream: a query here is answered from its stores
 */
public record StreamOwner(String streamId, int partition, String host, boolean local) {
  /** Requires the stream id. */
  public StreamOwner {
    Objects.requireNonNull(streamId, "streamId");
  }
}
