package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.testdata.Customer;
import io.eskafka.testdata.Shipment;
import io.eskafka.testing.DevSchemaRegistry;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaFormatter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpSchemaRegistry} against a real registry: Apicurio Registry 2.4.2 (built in-tree by
 * the dev-registry module) with the global compatibility rule BACKWARD. Fails, never skips, when
 * the registry cannot start.
 */
class HttpSchemaRegistryIT {

  /** Version 1 of Customer: no email field. Version 2 (the generated class) adds it with a default. */
  static final Schema CUSTOMER_V1 = new Schema.Parser().parse("""
      {"type": "record", "name": "Customer", "namespace": "io.eskafka.testdata",
       "fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"}]}""");

  /** Adds a field without a default: data written with version 2 cannot be read with it. */
  static final Schema CUSTOMER_INCOMPATIBLE = new Schema.Parser().parse("""
      {"type": "record", "name": "Customer", "namespace": "io.eskafka.testdata",
       "fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"},
                  {"name": "email", "type": "string", "default": "unknown@example.invalid"},
                  {"name": "phone", "type": "string"}]}""");

  private static HttpSchemaRegistry registry;

  @BeforeAll
  static void connect() {
    registry = HttpSchemaRegistry.create(DevSchemaRegistry.shared().url());
  }

  // The registry is shared by all tests in this JVM: every test gets its own subjects.
  private static String subject(String name) {
    return "it-" + UUID.randomUUID() + "-" + name;
  }

  @Test
  void registersAndReadsBackBySubjectVersionIdAndLookup() {
    String subject = subject("customer");

    int v1 = registry.register(subject, CUSTOMER_V1);
    int v2 = registry.register(subject, Customer.getClassSchema());

    assertThat(v2).isNotEqualTo(v1);
    assertThat(registry.getById(v1)).isEqualTo(CUSTOMER_V1);
    assertThat(registry.getById(v2)).isEqualTo(Customer.getClassSchema());
    assertThat(registry.versions(subject)).containsExactly(1, 2);
    assertThat(registry.latest(subject)).get()
        .extracting(RegisteredSchema::subject, RegisteredSchema::version, RegisteredSchema::id, RegisteredSchema::schema)
        .containsExactly(subject, 2, v2, Customer.getClassSchema());
    assertThat(registry.version(subject, 1)).get()
        .extracting(RegisteredSchema::version, RegisteredSchema::id)
        .containsExactly(1, v1);
    assertThat(registry.version(subject, 3)).isEmpty();
    assertThat(registry.lookup(subject, CUSTOMER_V1)).get()
        .extracting(RegisteredSchema::version, RegisteredSchema::id)
        .containsExactly(1, v1);
    assertThat(registry.subjects()).contains(subject);
  }

  @Test
  void reRegisteringTheSameSchemaGivesTheSameIdAndNoNewVersion() {
    String subject = subject("shipment");
    int first = registry.register(subject, Shipment.getClassSchema());

    // A fresh client, so the answer comes from the registry and not from our cache.
    int second = HttpSchemaRegistry.create(DevSchemaRegistry.shared().url())
        .register(subject, new Schema.Parser().parse(SchemaFormatter.format("json/pretty", Shipment.getClassSchema())));

    assertThat(second).isEqualTo(first);
    assertThat(registry.versions(subject)).containsExactly(1);
  }

  @Test
  void aBackwardIncompatibleSchemaIsRefusedWith409() {
    String subject = subject("customer");
    registry.register(subject, Customer.getClassSchema());

    assertThatThrownBy(() -> registry.register(subject, CUSTOMER_INCOMPATIBLE))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.httpStatus()).hasValue(409);
          assertThat(e.isNotFound()).isFalse();
          // Apicurio answers error_code 0 here (Confluent: 409); the message names the field.
          assertThat(e.registryMessage()).get().asString().contains("phone");
        });
    assertThat(registry.versions(subject)).containsExactly(1);
  }

  @Test
  void compatibilityCheckSaysTrueForAnAddedDefaultAndFalseForAnAddedRequiredField() {
    String subject = subject("customer");
    registry.register(subject, CUSTOMER_V1);

    assertThat(registry.isCompatible(subject, Customer.getClassSchema())).isTrue();
    registry.register(subject, Customer.getClassSchema());
    assertThat(registry.isCompatible(subject, CUSTOMER_INCOMPATIBLE)).isFalse();
    assertThat(registry.isCompatible(subject("never-registered"), CUSTOMER_INCOMPATIBLE)).isTrue();
    assertThat(registry.versions(subject)).containsExactly(1, 2);
  }

  @Test
  void unknownIdsSubjectsAndSchemasAreNotFound() {
    assertThatThrownBy(() -> registry.getById(Integer.MAX_VALUE))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.isNotFound()).isTrue();
          assertThat(e.httpStatus()).hasValue(404);
        })
        .hasMessage("unknown schema id " + Integer.MAX_VALUE);
    String missing = subject("missing");
    assertThat(registry.latest(missing)).isEmpty();
    assertThat(registry.versions(missing)).isEmpty();
    assertThat(registry.lookup(missing, CUSTOMER_V1)).isEmpty();

    String subject = subject("customer");
    registry.register(subject, CUSTOMER_V1);
    assertThat(registry.lookup(subject, Customer.getClassSchema())).isEmpty();
  }

  @Test
  void subjectsWithCharactersThatNeedEncodingWork() {
    String subject = subject("a b/c+d");

    int id = registry.register(subject, CUSTOMER_V1);

    assertThat(registry.subjects()).contains(subject);
    assertThat(registry.latest(subject)).get().extracting(RegisteredSchema::id).isEqualTo(id);
  }
}
