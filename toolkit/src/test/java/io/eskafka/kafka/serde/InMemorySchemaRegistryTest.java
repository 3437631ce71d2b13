package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.testdata.Customer;
import io.eskafka.testdata.Shipment;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  @Test
  void reRegisteringAnIdenticalSchemaGivesTheSameIdAndNoNewVersion() {
    int first = registry.register("t-io.eskafka.testdata.Customer", Customer.getClassSchema());
    Schema reparsed = new Schema.Parser().parse(Customer.getClassSchema().toString(true));
    int second = registry.register("t-io.eskafka.testdata.Customer", reparsed);

    assertThat(second).isEqualTo(first);
    assertThat(registry.versions("t-io.eskafka.testdata.Customer")).containsExactly(1);
  }

  @Test
  void idsAreGlobalAcrossSubjectsAndVersionsStartAtOnePerSubject() {
    int customer = registry.register("a-io.eskafka.testdata.Customer", Customer.getClassSchema());
    int shipment = registry.register("a-io.eskafka.testdata.Shipment", Shipment.getClassSchema());
    int customerElsewhere = registry.register("b-io.eskafka.testdata.Customer", Customer.getClassSchema());

    assertThat(shipment).isNotEqualTo(customer);
    assertThat(customerElsewhere).isEqualTo(customer);
    assertThat(registry.latest("b-io.eskafka.testdata.Customer")).get()
        .extracting(RegisteredSchema::version, RegisteredSchema::id)
        .containsExactly(1, customer);
    assertThat(registry.subjects()).containsExactlyInAnyOrder(
        "a-io.eskafka.testdata.Customer", "a-io.eskafka.testdata.Shipment", "b-io.eskafka.testdata.Customer");
  }

  @Test
  void aChangedSchemaBecomesTheNextVersion() {
    Schema v1 = new Schema.Parser().parse(SerdeTestSupport.CUSTOMER_V1);
    int id1 = registry.register("s", v1);
    int id2 = registry.register("s", Customer.getClassSchema());

    assertThat(id2).isNotEqualTo(id1);
    assertThat(registry.versions("s")).containsExactly(1, 2);
    assertThat(registry.latest("s")).get().extracting(RegisteredSchema::id).isEqualTo(id2);
    assertThat(registry.version("s", 1)).get().extracting(RegisteredSchema::schema).isEqualTo(v1);
    assertThat(registry.version("s", 3)).isEmpty();
    // Re-registering an older version returns its id without appending a version.
    assertThat(registry.register("s", v1)).isEqualTo(id1);
    assertThat(registry.versions("s")).containsExactly(1, 2);
  }

  @Test
  void lookupFindsOnlySchemasRegisteredUnderThatSubject() {
    int id = registry.register("s", Customer.getClassSchema());

    assertThat(registry.lookup("s", Customer.getClassSchema())).get().extracting(RegisteredSchema::id).isEqualTo(id);
    assertThat(registry.lookup("other", Customer.getClassSchema())).isEmpty();
    assertThat(registry.lookup("s", Shipment.getClassSchema())).isEmpty();
    assertThat(registry.latest("missing")).isEmpty();
    assertThat(registry.versions("missing")).isEmpty();
  }

  @Test
  void unknownIdIsANotFoundError() {
    assertThatThrownBy(() -> registry.getById(42))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessage("unknown schema id 42")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).isNotFound()).isTrue());
  }

  @Test
  void underBackwardAnIncompatibleSchemaIsRefusedLikeARegistryAnswers409() {
    InMemorySchemaRegistry checked = new InMemorySchemaRegistry(CompatibilityMode.BACKWARD);
    checked.register("s", Customer.getClassSchema());

    assertThat(checked.isCompatible("s", HttpSchemaRegistryIT.CUSTOMER_INCOMPATIBLE)).isFalse();
    assertThatThrownBy(() -> checked.register("s", HttpSchemaRegistryIT.CUSTOMER_INCOMPATIBLE))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.httpStatus()).hasValue(409);
          assertThat(e.errorCode()).hasValue(409);
          assertThat(e.registryMessage()).get().asString().contains("phone");
        });
    assertThat(checked.versions("s")).containsExactly(1);
  }

  @Test
  void underBackwardAnAddedFieldWithADefaultIsAccepted() {
    InMemorySchemaRegistry checked = new InMemorySchemaRegistry(CompatibilityMode.BACKWARD);
    checked.register("s", HttpSchemaRegistryIT.CUSTOMER_V1);

    assertThat(checked.isCompatible("s", Customer.getClassSchema())).isTrue();
    assertThat(checked.isCompatible("empty", HttpSchemaRegistryIT.CUSTOMER_INCOMPATIBLE)).isTrue();
    checked.register("s", Customer.getClassSchema());
    assertThat(checked.versions("s")).containsExactly(1, 2);
  }

  @Test
  void transitiveModesCheckEveryVersionAndNonTransitiveOnlyTheLatest() {
    // v1 {id}, v2 {id, name?=default} and v3 {id, name} (required): v3 reads v2 data (name is
    // there) but not v1 data (no name, no default).
    Schema v1 = record("{\"name\": \"id\", \"type\": \"string\"}");
    Schema v2 = record("{\"name\": \"id\", \"type\": \"string\"}, "
        + "{\"name\": \"name\", \"type\": \"string\", \"default\": \"\"}");
    Schema v3 = record("{\"name\": \"id\", \"type\": \"string\"}, {\"name\": \"name\", \"type\": \"string\"}");
    List<Schema> history = List.of(v1, v2);

    assertThat(CompatibilityMode.BACKWARD.check(v3, history)).isEmpty();
    assertThat(CompatibilityMode.BACKWARD_TRANSITIVE.check(v3, history)).isPresent();
    assertThat(CompatibilityMode.NONE.check(v3, history)).isEmpty();
    assertThat(CompatibilityMode.FORWARD.check(v1, List.of(v2))).isEmpty();
    assertThat(CompatibilityMode.FULL.check(v3, List.of(v1))).isPresent();
  }

  private static Schema record(String fields) {
    return new Schema.Parser().parse(
        "{\"type\": \"record\", \"name\": \"R\", \"namespace\": \"t\", \"fields\": [" + fields + "]}");
  }
}
