package io.eskafka.kafka.serde;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The upcasters of an application, one per retired or reinterpreted writer record full name.
 * Immutable and thread-safe. Given to the serde with
 * {@link AvroSerde.Builder#upcasters(Upcasters)}; {@link AvroSerde#deserializeEvents} applies them.
 *
 * <p><b>Chains:</b> an upcaster may return records of another upcast type, whose upcaster then
 * applies, and so on, so a type renamed twice needs one upcaster per rename. Each upcaster applies
 * at most once on the way from one stored event to its current events, so an upcaster may return
 * its own input type (a change of meaning without a rename) and chains cannot loop.
 */
public final class Upcasters {

  private static final Upcasters NONE = new Upcasters(Map.of());

  private final Map<String, Upcaster> byType;

  private Upcasters(Map<String, Upcaster> byType) {
    this.byType = Map.copyOf(byType);
  }

  /**
   * No upcasters: every event is read as written (with schema resolution).
   *
   * @return the empty set, never {@code null}
   */
  public static Upcasters none() {
    return NONE;
  }

  /**
   * Starts an empty set.
   *
   * @return a new builder, never {@code null}; not thread-safe
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The upcaster of a writer record type.
   *
   * @param recordFullName e.g. {@code io.eskafka.examples.bank.events.FundsMoved}, not {@code null}
   * @return its upcaster, or empty when events of that type are read as written
   */
  public Optional<Upcaster> forType(String recordFullName) {
    return Optional.ofNullable(byType.get(recordFullName));
  }

  /**
   * Whether there is no upcaster at all (the serde then skips the upcasting path entirely).
   *
   * @return true for {@link #none()} and empty builders
   */
  public boolean isEmpty() {
    return byType.isEmpty();
  }

  /** Collects upcasters by writer record full name. */
  public static final class Builder {

    private final Map<String, Upcaster> byType = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Registers the upcaster of one writer record type.
     *
     * @param recordFullName the record's full name as written (namespace + name), not {@code null}
     * @param upcaster its upcaster, not {@code null}
     * @return this builder
     * @throws IllegalArgumentException if the type already has an upcaster: one type, one rewrite
     */
    public Builder on(String recordFullName, Upcaster upcaster) {
      Objects.requireNonNull(recordFullName, "recordFullName");
      Objects.requireNonNull(upcaster, "upcaster");
      if (byType.putIfAbsent(recordFullName, upcaster) != null) {
        throw new IllegalArgumentException("an upcaster for " + recordFullName
            + " is already registered; chain the rewrite inside it instead");
      }
      return this;
    }

    /**
     * Builds the immutable set.
     *
     * @return the upcasters, never {@code null}
     */
    public Upcasters build() {
      return new Upcasters(byType);
    }
  }
}
