package io.eskafka.kafka;

import io.eskafka.decider.TypedDecider;
import io.eskafka.kafka.serde.AvroClassTrust;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * An aggregate type as deployed: its name (which names its topics and stores), its decider, and its
 * logic version.
 *
 * <p>Bump {@code logicVersion} when {@code evolve} changes meaning, so that snapshots written by
 * older logic can be told apart from current ones.
 *
 * @param name aggregate type name, e.g. {@code bank-account}; a legal topic-name part
 * @param decider the pure decider; commands, events and state are Avro records
 * @param logicVersion version of the decider's logic, ≥ 1
 * @param <S> state type
 */
public record AggregateDefinition<S extends SpecificRecord>(
    String name, TypedDecider<SpecificRecord, SpecificRecord, S> decider, int logicVersion) {

  /**
   * Validates the parts, and tells Avro to trust the aggregate's generated classes (see {@link
   * AvroClassTrust}).
   */
  public AggregateDefinition {
    Objects.requireNonNull(decider, "decider");
    AggregateTopics.of(name); // validates the name once, with the topic-name rules
    if (logicVersion < 1) {
      throw new IllegalArgumentException("logicVersion must be >= 1, got " + logicVersion);
    }
    decider.commandTypes().forEach(AvroClassTrust::trust);
    decider.eventTypes().forEach(AvroClassTrust::trust);
    AvroClassTrust.trust(decider.initialState().getClass());
  }

  /**
   * Defines an aggregate at logic version 1.
   *
   * @param name aggregate type name
   * @param decider its decider
   * @param <S> state type
   * @return the definition
   */
  public static <S extends SpecificRecord> AggregateDefinition<S> of(
      String name, TypedDecider<SpecificRecord, SpecificRecord, S> decider) {
    return new AggregateDefinition<>(name, decider, 1);
  }

  /**
   * The aggregate's topics.
   *
   * @return topic names derived from {@link #name()}
   */
  public AggregateTopics topics() {
    return AggregateTopics.of(name);
  }
}
