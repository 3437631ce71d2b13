package io.eskafka.kafka.serde;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of a Confluent-compatible schema registry that the toolkit needs, shaped after its REST
 * API so that an HTTP client (Confluent Schema Registry, Apicurio {@code /apis/ccompat/v7},
 * Karapace, Redpanda) can implement it one call per method.
 *
 * <p>Model: a <em>subject</em> (a string) holds an ordered list of schema <em>versions</em> (1, 2,
 * ...). Every distinct schema gets an <em>id</em> (an int) that is global across subjects: the same
 * schema registered under two subjects has one id, and that id is what the Confluent wire format
 * carries.
 *
 * <p><b>Threading:</b> implementations must be thread-safe; serdes call them from several Kafka
 * Streams threads at once. <b>Blocking:</b> calls may block on network I/O, so callers cache
 * results (ids and schemas never change once assigned) and keep calls off hot paths;
 * {@link AvroSerde} fetches each id and registers each subject/schema pair once per instance.
 * <b>Errors:</b> failures are reported as the unchecked {@link SchemaRegistryException}.
 */
public interface SchemaRegistry {

  /**
   * Registers {@code schema} under {@code subject}, or finds its existing registration.
   * Registering a schema identical to one already in the subject returns the existing id without
   * creating a version (Confluent: {@code POST /subjects/{subject}/versions}).
   *
   * @param subject the subject, not null or blank
   * @param schema the schema, not null
   * @return the schema's registry-wide id
   * @throws SchemaRegistryException if the registry rejects the schema (e.g. incompatible with
   *     the subject's compatibility rule) or cannot be reached
   */
  int register(String subject, Schema schema);

  /**
   * Returns the schema with a given id (Confluent: {@code GET /schemas/ids/{id}}).
   *
   * @param id the registry-wide schema id
   * @return the schema, never null
   * @throws SchemaRegistryException with {@link SchemaRegistryException#isNotFound()} true and
   *     message {@code "unknown schema id N"} if no schema has that id; or for any other failure
   */
  Schema getById(int id);

  /**
   * Finds the registration of {@code schema} under {@code subject} without registering anything
   * (Confluent: {@code POST /subjects/{subject}}). Used when auto-registration is off.
   *
   * @param subject the subject, not null
   * @param schema the schema, not null
   * @return the registration, or empty if the subject does not exist or does not hold this schema
   * @throws SchemaRegistryException if the registry cannot be reached
   */
  Optional<RegisteredSchema> lookup(String subject, Schema schema);

  /**
   * Returns the newest version of a subject (Confluent: {@code GET /subjects/{subject}/versions/latest}).
   *
   * @param subject the subject, not null
   * @return the latest registration, or empty if the subject does not exist
   * @throws SchemaRegistryException if the registry cannot be reached
   */
  Optional<RegisteredSchema> latest(String subject);

  /**
   * Returns one version of a subject (Confluent: {@code GET /subjects/{subject}/versions/{version}}).
   *
   * @param subject the subject, not null
   * @param version the version, starting at 1
   * @return the registration, or empty if the subject or version does not exist
   * @throws SchemaRegistryException if the registry cannot be reached
   */
  Optional<RegisteredSchema> version(String subject, int version);

  /**
   * Lists the subjects (Confluent: {@code GET /subjects}).
   *
   * @return the subjects in no particular order; an immutable snapshot, never null
   * @throws SchemaRegistryException if the registry cannot be reached
   */
  List<String> subjects();

  /**
   * Lists the versions of a subject (Confluent: {@code GET /subjects/{subject}/versions}).
   *
   * @param subject the subject, not null
   * @return the versions in ascending order; an immutable snapshot, empty if the subject does
   *     not exist; never null
   * @throws SchemaRegistryException if the registry cannot be reached
   */
  List<Integer> versions(String subject);

  /**
   * Tells whether registering {@code schema} under {@code subject} would pass the subject's
   * compatibility rule, without registering anything (Confluent:
   * {@code POST /compatibility/subjects/{subject}/versions/latest}). Under a non-transitive rule
   * the schema is checked against the latest version; under a {@code _TRANSITIVE} one, against
   * every version.
   *
   * @param subject the subject, not null
   * @param schema the candidate schema, not null
   * @return true if compatible, or if the subject has no version yet (nothing to be incompatible
   *     with); false if the rule would refuse the schema
   * @throws SchemaRegistryException if the registry cannot be reached or refuses the request
   */
  boolean isCompatible(String subject, Schema schema);
}
