package io.eskafka.projection;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Which events a projection reads: one or more event topics (e.g. {@code bank-account.events} and
 * {@code user.events} for a view fed by two aggregate types) and optionally the event types it
 * cares about. Immutable; the {@code only…} methods return copies.
 *
 * <p>Events of other types are skipped without being decoded (their type is read from the
 * {@code eskafka.event.type} header), but their offsets still advance: a projection never needs
 * the schemas of events it ignores.
 *
 * @param topics the event topics, at least one, no duplicates, in the given order
 * @param eventTypes Avro full names of the events to handle; empty means every event
 */
public record EventSelection(List<String> topics, Set<String> eventTypes) {

  /** Validates and copies. */
  public EventSelection {
    topics = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(topics, "topics")));
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("a projection reads at least one event topic");
    }
    for (String topic : topics) {
      if (topic.isBlank()) {
        throw new IllegalArgumentException("event topic names must not be blank");
      }
    }
    eventTypes = Set.copyOf(Objects.requireNonNull(eventTypes, "eventTypes"));
  }

  /**
   * Every event of the given topics.
   *
   * @param topics event topics, e.g. {@code AggregateTopics.of("bank-account").events()}; not
   *     {@code null}, at least one
   * @return the selection
   */
  public static EventSelection of(String... topics) {
    return new EventSelection(Arrays.asList(topics), Set.of());
  }

  /**
   * Restricts the selection to events of the given generated classes.
   *
   * @param types generated Avro classes, not {@code null}
   * @return a copy that accepts only these types
   */
  @SafeVarargs
  public final EventSelection onlyTypes(Class<? extends SpecificRecord>... types) {
    String[] names = new String[types.length];
    for (int i = 0; i < types.length; i++) {
      names[i] = fullName(types[i]);
    }
    return onlyTypeNames(names);
  }

  /**
   * Restricts the selection to events with the given Avro full names.
   *
   * @param fullNames e.g. {@code io.eskafka.examples.bank.events.MoneyDeposited}; not {@code null}
   * @return a copy that accepts only these types
   */
  public EventSelection onlyTypeNames(String... fullNames) {
    return new EventSelection(topics, Set.of(fullNames));
  }

  /**
   * Whether events of a type are handed to the projection.
   *
   * @param eventType Avro full name, not {@code null}
   * @return {@code true} when no filter is set or the type is in it
   */
  public boolean accepts(String eventType) {
    return eventTypes.isEmpty() || eventTypes.contains(eventType);
  }

  private static String fullName(Class<? extends SpecificRecord> type) {
    try {
      return SpecificData.get().getSchema(type).getFullName();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(type.getName() + " is not a generated Avro record class", e);
    }
  }
}
