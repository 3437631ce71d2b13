package io.eskafka.kafka.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A {@link SchemaRegistry} held in memory, for unit tests and the single-JVM demo. Nothing is
 * persisted; ids start at 1 and versions per subject start at 1, like a fresh Confluent registry.
 *
 * <p><b>Schema identity</b> is Avro's full JSON rendering of the schema ({@link Schema#toString()}),
 * which normalises whitespace and attribute order but keeps docs, defaults, aliases, logical types
 * and custom properties. This matches what Confluent-compatible registries compare, so tests against
 * this class and integration tests against a real registry agree on when a new id or version
 * appears. (Avro's Parsing Canonical Form would be too coarse here: it drops defaults and logical
 * types, so a schema that only adds a default would silently get the older schema's id.)
 *
 * <p><b>Compatibility:</b> one {@link CompatibilityMode} for all subjects, checked with Avro's
 * {@code SchemaValidatorBuilder}. The default, {@link CompatibilityMode#NONE}, accepts every new
 * schema as the subject's next version (like a fresh Apicurio registry; Confluent defaults to
 * BACKWARD). Under any other mode a refused schema fails {@link #register} like a Confluent
 * registry answers it: a {@link SchemaRegistryException} with {@code httpStatus} 409 and
 * {@code errorCode} 409, Avro's reason in {@code registryMessage}. Schemas are copied on
 * registration, so later changes to the caller's instance do not leak in.
 *
 * <p><b>Threading:</b> thread-safe. Writes and subject reads take one lock (registration is rare);
 * {@link #getById(int)} is lock-free.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

  private final Object lock = new Object();
  // Lock-free reads: the serde's decode path falls back to this on a cache miss.
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
  // guarded by lock
  private final Map<String, Integer> idByIdentity = new HashMap<>();
  // guarded by lock
  private final Map<String, List<RegisteredSchema>> versionsBySubject = new HashMap<>();
  // guarded by lock
  private int nextId = 1;
  private final CompatibilityMode compatibility;

  /** Creates an empty registry that accepts every schema ({@link CompatibilityMode#NONE}). */
  public InMemorySchemaRegistry() {
    this(CompatibilityMode.NONE);
  }

  /**
   * Creates an empty registry that checks new versions of every subject under one rule.
   *
   * @param compatibility the rule for all subjects, not null
   */
  public InMemorySchemaRegistry(CompatibilityMode compatibility) {
    this.compatibility = Objects.requireNonNull(compatibility, "compatibility");
  }

  /**
   * Returns the rule every subject's new versions are checked against.
   *
   * @return the mode given at construction, never null
   */
  public CompatibilityMode compatibility() {
    return compatibility;
  }

  @Override
  public int register(String subject, Schema schema) {
    requireSubject(subject);
    Objects.requireNonNull(schema, "schema");
    String identity = schema.toString();
    synchronized (lock) {
      List<RegisteredSchema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
      Integer existingId = idByIdentity.get(identity);
      if (existingId != null) {
        for (RegisteredSchema registered : versions) {
          if (registered.id() == existingId) {
            return existingId;
          }
        }
      }
      Optional<String> refusal = compatibility.check(schema, schemasOf(versions));
      if (refusal.isPresent()) {
        throw new SchemaRegistryException(
            "schema for subject '" + subject + "' is incompatible under " + compatibility + ": "
                + refusal.get(),
            null, false, 409, OptionalInt.of(409), refusal.get());
      }
      int id;
      Schema stored;
      if (existingId != null) {
        // Known under another subject: ids are global, so reuse id and stored copy.
        id = existingId;
        stored = schemaById.get(id);
      } else {
        id = nextId++;
        stored = new Schema.Parser().parse(identity);
        idByIdentity.put(identity, id);
        schemaById.put(id, stored);
      }
      versions.add(new RegisteredSchema(subject, versions.size() + 1, id, stored));
      return id;
    }
  }

  @Override
  public Schema getById(int id) {
    Schema schema = schemaById.get(id);
    if (schema == null) {
      throw SchemaRegistryException.notFound("unknown schema id " + id);
    }
    return schema;
  }

  @Override
  public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    String identity = schema.toString();
    synchronized (lock) {
      Integer id = idByIdentity.get(identity);
      if (id == null) {
        return Optional.empty();
      }
      for (RegisteredSchema registered : versionsBySubject.getOrDefault(subject, List.of())) {
        if (registered.id() == id) {
          return Optional.of(registered);
        }
      }
      return Optional.empty();
    }
  }

  @Override
  public Optional<RegisteredSchema> latest(String subject) {
    Objects.requireNonNull(subject, "subject");
    synchronized (lock) {
      List<RegisteredSchema> versions = versionsBySubject.get(subject);
      return versions == null || versions.isEmpty()
          ? Optional.empty()
          : Optional.of(versions.get(versions.size() - 1));
    }
  }

  @Override
  public Optional<RegisteredSchema> version(String subject, int version) {
    Objects.requireNonNull(subject, "subject");
    synchronized (lock) {
      List<RegisteredSchema> versions = versionsBySubject.getOrDefault(subject, List.of());
      return version >= 1 && version <= versions.size()
          ? Optional.of(versions.get(version - 1))
          : Optional.empty();
    }
  }

  @Override
  public List<String> subjects() {
    synchronized (lock) {
      return List.copyOf(versionsBySubject.keySet());
    }
  }

  @Override
  public List<Integer> versions(String subject) {
    Objects.requireNonNull(subject, "subject");
    synchronized (lock) {
      return versionsBySubject.getOrDefault(subject, List.of()).stream()
          .map(RegisteredSchema::version)
          .toList();
    }
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    synchronized (lock) {
      return compatibility
          .check(schema, schemasOf(versionsBySubject.getOrDefault(subject, List.of())))
          .isEmpty();
    }
  }

  private static List<Schema> schemasOf(List<RegisteredSchema> versions) {
    return versions.stream().map(RegisteredSchema::schema).toList();
  }

  private static void requireSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (subject.isBlank()) {
      throw new IllegalArgumentException("subject must not be blank");
    }
  }
}
