package io.eskafka.internal.index;

import io.eskafka.decider.TypedDecider;
import io.eskafka.kafka.serde.AvroSerde;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Replays a stream out of the per-stream index: decodes its events and folds {@code evolve} over
 * them from the initial state. The one place state is computed from the index, for snapshot
 * rebuilds and temporal queries alike. Thread-safe if the decider and the serde are.
 *
 * @param <S> state type
 */
public final class StreamReplay<S extends SpecificRecord> {

  /**
   * A replayed state.
   *
   * @param state the state after the last event folded (the initial state when none was)
   * @param version version of the last event folded, 0 when none was
   * @param timestamp append time of the last event folded (epoch millis), 0 when none was
   * @param <S> state type
   */
  public record Replayed<S>(S state, long version, long timestamp) {}

  /** Gets each event with its version and the state after it. */
  @FunctionalInterface
  public interface StepVisitor<S> {
    /**
     * @param version the event's version
     * @param indexed the index entry
     * @param event the decoded event
     * @param stateAfter the state after it
     */
    void step(long version, IndexedEvent indexed, SpecificRecord event, S stateAfter);
  }

  private final TypedDecider<SpecificRecord, SpecificRecord, S> decider;
  private final AvroSerde serde;
  private final String eventsTopic;

  /**
   * @param decider the aggregate's decider
   * @param serde the serde events were written with
   * @param eventsTopic the event topic (names the schema subjects)
   */
  public StreamReplay(TypedDecider<SpecificRecord, SpecificRecord, S> decider, AvroSerde serde,
      String eventsTopic) {
    this.decider = decider;
    this.serde = serde;
    this.eventsTopic = eventsTopic;
  }

  /**
   * Decodes an indexed event, applying the serde's upcasters.
   *
   * @param indexed the index entry
   * @return the events it stands for today: one, unless an upcaster split or dropped it
   */
  public List<SpecificRecord> decode(IndexedEvent indexed) {
    return serde.deserializeEvents(eventsTopic, indexed.payload());
  }

  /**
   * Folds the events with versions {@code ≤ toVersion} and append times {@code ≤ toTimestamp},
   * stopping at the first event beyond either bound.
   *
   * @param index the index store
   * @param streamId the stream
   * @param toVersion last version to include
   * @param toTimestamp last append time to include, epoch millis ({@link Long#MAX_VALUE}: any)
   * @param visitor gets every step, or {@code null}
   * @return the state reached
   */
  public Replayed<S> replay(ReadOnlyKeyValueStore<Bytes, byte[]> index, String streamId,
      long toVersion, long toTimestamp, StepVisitor<S> visitor) {
    Fold fold = new Fold(decider.initialState());
    StreamIndexReader.Visitor step = (indexed, version) -> {
      if (indexed.timestamp() > toTimestamp) {
        return false;
      }
      for (SpecificRecord event : decode(indexed)) {
        fold.state = decider.evolve(fold.state, event);
        if (visitor != null) {
          visitor.step(version, indexed, event, fold.state);
        }
      }
      fold.version = version;
      fold.timestamp = indexed.timestamp();
      return true;
    };
    StreamIndexReader.visit(index, streamId, 1L, toVersion, step);
    return new Replayed<>(fold.state, fold.version, fold.timestamp);
  }

  private final class Fold {
    S state;
    long version;
    long timestamp;

    Fold(S initial) {
      this.state = initial;
    }
  }
}
