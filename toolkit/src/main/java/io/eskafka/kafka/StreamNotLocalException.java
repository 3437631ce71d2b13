package io.eskafka.kafka;

import io.eskafka.client.StreamOwner;

/**
 * A stream query reached an instance that cannot answer it from its own stores: another instance
 * owns the stream's partition, or the partition is rebalancing or restoring here. {@link #owner()}
 * says where to ask instead (when known).
 */
public final class StreamNotLocalException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Not serialized: an exception carrying a record of the client package. */
  private final transient StreamOwner owner;

  StreamNotLocalException(StreamOwner owner, String message, Throwable cause) {
    super(message, cause);
    this.owner = owner;
  }

  /**
   * The stream's owner as known when the query failed.
   *
   * @return the owner; its {@code host} is {@code null} when unknown
   */
  public StreamOwner owner() {
    return owner;
  }
}
