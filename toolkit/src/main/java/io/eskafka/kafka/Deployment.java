package io.eskafka.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one deployable application consists of: a name (how {@code eskafka run <name>} finds it)
 * and its aggregate types. Immutable.
 *
 * <p>More parts (projections) join this record as they become deployable, so an {@link EskafkaApp}
 * keeps its single method.
 *
 * @param name the application's name, e.g. {@code bank}; non-empty, no whitespace
 * @param aggregates its aggregate types, at least one, distinct names; copied
 */
public record Deployment(String name, List<AggregateDefinition<?>> aggregates) {

  /** Validates and copies. */
  public Deployment {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("deployment name must be non-empty without whitespace, got '"
          + name + "'");
    }
    aggregates = List.copyOf(aggregates);
    if (aggregates.isEmpty()) {
      throw new IllegalArgumentException("deployment " + name + " has no aggregate");
    }
    List<String> seen = new ArrayList<>();
    for (AggregateDefinition<?> aggregate : aggregates) {
      if (seen.contains(aggregate.name())) {
        throw new IllegalArgumentException("deployment " + name + " lists aggregate "
            + aggregate.name() + " twice");
      }
      seen.add(aggregate.name());
    }
  }

  /**
   * A deployment of the given aggregates.
   *
   * @param name the application's name
   * @param aggregates its aggregate types
   * @return the deployment
   */
  public static Deployment of(String name, AggregateDefinition<?>... aggregates) {
    return new Deployment(name, List.of(aggregates));
  }

  /**
   * The aggregate of the given name.
   *
   * @param aggregateName an aggregate type name
   * @return it, or empty when this deployment has none of that name
   */
  public Optional<AggregateDefinition<?>> aggregate(String aggregateName) {
    return aggregates.stream().filter(a -> a.name().equals(aggregateName)).findFirst();
  }

  /**
   * The names of the aggregates, in order.
   *
   * @return an unmodifiable list
   */
  public List<String> aggregateNames() {
    return aggregates.stream().map(AggregateDefinition::name).toList();
  }
}
