package io.eskafka.client;

import java.time.Instant;
import java.util.Objects;

/**
 * The current state of one stream, as read from its snapshot.
 *
 * @param streamId the stream
 * @param version version of its last event
 * @param state the state, never {@code null}
 * @param updatedAt when its last event was appended
 * @param <S> state type
 */
public record StreamState<S>(String streamId, long version, S state, Instant updatedAt) {
  /** Requires the id and the state. */
  public StreamState {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(state, "state");
  }
}
