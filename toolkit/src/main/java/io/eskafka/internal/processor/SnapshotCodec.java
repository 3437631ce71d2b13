package io.eskafka.internal.processor;

import io.eskafka.internal.ByteBuffers;
import io.eskafka.internal.avro.Snapshot;
import io.eskafka.kafka.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes the snapshot store's values: a {@link Snapshot} envelope (version, logic version, time)
 * around the state, both in Confluent wire format so the changelog topic reads with any Avro tool.
 * Thread-safe if the serde is.
 */
public final class SnapshotCodec {

  /**
   * A decoded snapshot.
   *
   * @param version version of the stream's last event
   * @param logicVersion logic version that wrote it
   * @param state the state
   * @param updatedAt when the last event was appended
   * @param <S> state type
   */
  public record Decoded<S>(long version, int logicVersion, S state, Instant updatedAt) {}

  private final AvroSerde serde;
  private final String topic;

  /**
   * @param serde the serde
   * @param topic the changelog topic of the snapshot store (names the schema subjects)
   */
  public SnapshotCodec(AvroSerde serde, String topic) {
    this.serde = serde;
    this.topic = topic;
  }

  /**
   * Encodes a snapshot.
   *
   * @param version version of the last event
   * @param logicVersion the aggregate's logic version
   * @param state the state, never {@code null}
   * @param updatedAt when the last event was appended
   * @return the store value
   */
  public byte[] encode(long version, int logicVersion, SpecificRecord state, Instant updatedAt) {
    return serde.serialize(topic, Snapshot.newBuilder()
        .setVersion(version)
        .setLogicVersion(logicVersion)
        .setState(ByteBuffer.wrap(serde.serialize(topic, state)))
        .setUpdatedAt(updatedAt)
        .build());
  }

  /**
   * Decodes only the envelope of a store value (version and logic version), not the state.
   *
   * @param value the store value, never {@code null}
   * @return the envelope; its state is still encoded
   */
  public Snapshot envelope(byte[] value) {
    return serde.deserialize(topic, value, Snapshot.class);
  }

  /**
   * Decodes a store value written by {@link #encode}.
   *
   * @param value the store value, never {@code null}
   * @param <S> state type
   * @return the snapshot
   */
  public <S> Decoded<S> decode(byte[] value) {
    return decode(envelope(value));
  }

  /**
   * Decodes the state of an envelope from {@link #envelope}, so a caller that looked at the
   * envelope first does not decode it twice.
   *
   * @param snapshot the envelope, never {@code null}
   * @param <S> state type
   * @return the snapshot
   */
  @SuppressWarnings("unchecked")
  public <S> Decoded<S> decode(Snapshot snapshot) {
    return new Decoded<>(snapshot.getVersion(), snapshot.getLogicVersion(),
        (S) serde.deserialize(topic, ByteBuffers.toArray(snapshot.getState())),
        snapshot.getUpdatedAt());
  }
}
