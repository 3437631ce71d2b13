package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.testdata.Address;
import io.eskafka.testdata.Customer;
import io.eskafka.testdata.Priority;
import io.eskafka.testdata.Shipment;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Upcasters rewrite stored events of retired types on read: a rename, a rename of a rename (a
 * chain), a split into two events, a drop; errors name the type.
 */
class UpcastersTest {

  private static final String TOPIC = "customers";

  /** Version 0 of the customer event, before it was renamed to Customer (no class exists). */
  private static final Schema CLIENT_CREATED = new Schema.Parser().parse("""
      {"type": "record", "name": "ClientCreated", "namespace": "io.eskafka.testdata.retired",
       "fields": [{"name": "clientId", "type": "string"}, {"name": "fullName", "type": "string"}]}
      """);

  /** An intermediate name, itself retired: ClientCreated -> CustomerRegistered -> Customer. */
  private static final Schema CUSTOMER_REGISTERED = new Schema.Parser().parse("""
      {"type": "record", "name": "CustomerRegistered", "namespace": "io.eskafka.testdata.retired",
       "fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"}]}
      """);

  /** One event that is now two: a customer and its first shipment. */
  private static final Schema CUSTOMER_WITH_ORDER = new Schema.Parser().parse("""
      {"type": "record", "name": "CustomerWithOrder", "namespace": "io.eskafka.testdata.retired",
       "fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"},
                  {"name": "street", "type": "string"}]}
      """);

  static {
    // Builders of generated classes with record-typed defaults need Avro's class trust. In an
    // application the aggregate definition trusts its event classes; here nothing else does.
    AvroClassTrust.trust(Shipment.class);
  }

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  private static final Upcasters UPCASTERS = Upcasters.builder()
      .on("io.eskafka.testdata.retired.ClientCreated", old -> List.of(
          record(CUSTOMER_REGISTERED, "id", old.get("clientId"), "name", old.get("fullName"))))
      // Writes the current type's v1 shape generically: resolution fills in the v2 default.
      .on("io.eskafka.testdata.retired.CustomerRegistered", old -> List.of(
          record(new Schema.Parser().parse(SerdeTestSupport.CUSTOMER_V1),
              "id", old.get("id"), "name", old.get("name"))))
      // Returns generated instances directly.
      .on("io.eskafka.testdata.retired.CustomerWithOrder", old -> List.of(
          Customer.newBuilder().setId(old.get("id").toString()).setName(old.get("name").toString())
              .setEmail("unknown@example.invalid").build(),
          Shipment.newBuilder().setId("first-" + old.get("id")).setWeightGrams(0)
              .setPriority(Priority.NORMAL)
              .setDestination(Address.newBuilder().setStreet(old.get("street").toString()).build())
              .build()))
      .build();

  private final AvroSerde serde = AvroSerde.builder(registry).upcasters(UPCASTERS).build();

  @Test
  void aRenamedTypeIsReadAsItsCurrentType() {
    byte[] stored = stored(CUSTOMER_REGISTERED, "id", "c-1", "name", "Ada");

    List<SpecificRecord> events = serde.deserializeEvents(TOPIC, stored);

    assertThat(events).containsExactly(Customer.newBuilder().setId("c-1").setName("Ada")
        .setEmail("unknown@example.invalid").build());
  }

  @Test
  void upcastersChainThroughSeveralRenames() {
    byte[] stored = stored(CLIENT_CREATED, "clientId", "c-2", "fullName", "Grace");

    assertThat(serde.deserializeEvents(TOPIC, stored)).singleElement()
        .isEqualTo(Customer.newBuilder().setId("c-2").setName("Grace")
            .setEmail("unknown@example.invalid").build());
  }

  @Test
  void anEventSplitInTwoIsReadAsBothInOrder() {
    byte[] stored = stored(CUSTOMER_WITH_ORDER, "id", "c-3", "name", "Edsger", "street", "1 Main St");

    List<SpecificRecord> events = serde.deserializeEvents(TOPIC, stored);

    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(Customer.class);
    assertThat(((Shipment) events.get(1)).getDestination().getStreet()).isEqualTo("1 Main St");
  }

  @Test
  void eventsOfCurrentTypesAreReadAsWritten() {
    Customer customer = Customer.newBuilder().setId("c-4").setName("Barbara").setEmail("b@x").build();
    byte[] bytes = serde.serialize(TOPIC, customer);

    assertThat(serde.deserializeEvents(TOPIC, bytes)).containsExactly(customer);
  }

  @Test
  void anUpcasterMayDropAnEventAndMayKeepItsOwnTypeWithoutLooping() {
    Upcasters upcasters = Upcasters.builder()
        .on("io.eskafka.testdata.Customer", event ->
            "drop-me".equals(event.get("id").toString()) ? List.of() : List.of(event))
        .build();
    AvroSerde dropping = AvroSerde.builder(registry).upcasters(upcasters).build();
    Customer kept = Customer.newBuilder().setId("c-5").setName("Kept").setEmail("k@x").build();

    assertThat(dropping.deserializeEvents(TOPIC, dropping.serialize(TOPIC, kept)))
        .containsExactly(kept);
    assertThat(dropping.deserializeEvents(TOPIC, dropping.serialize(TOPIC,
        Customer.newBuilder(kept).setId("drop-me").build()))).isEmpty();
  }

  @Test
  void withoutAnUpcasterARetiredTypeIsUndecodableNamingIt() {
    byte[] stored = stored(CUSTOMER_REGISTERED, "id", "c-6", "name", "Niklaus");

    assertThatThrownBy(() -> AvroSerde.create(registry).deserializeEvents(TOPIC, stored))
        .isInstanceOf(AvroDecodingException.class)
        .hasMessageContaining("no class on the classpath for writer record "
            + "io.eskafka.testdata.retired.CustomerRegistered");
  }

  @Test
  void aFailingUpcasterIsADecodingErrorNamingTheType() {
    AvroSerde failing = AvroSerde.builder(registry).upcasters(Upcasters.builder()
        .on("io.eskafka.testdata.retired.CustomerRegistered", event -> {
          throw new IllegalStateException("boom");
        }).build()).build();
    byte[] stored = stored(CUSTOMER_REGISTERED, "id", "c-7", "name", "Tony");

    assertThatThrownBy(() -> failing.deserializeEvents(TOPIC, stored))
        .isInstanceOf(AvroDecodingException.class)
        .hasMessageContaining("upcaster of io.eskafka.testdata.retired.CustomerRegistered failed")
        .hasMessageContaining("boom");
  }

  @Test
  void anOutputWithoutAClassIsADecodingErrorNamingIt() {
    AvroSerde lost = AvroSerde.builder(registry).upcasters(Upcasters.builder()
        .on("io.eskafka.testdata.retired.ClientCreated", old -> List.of(
            record(NOWHERE, "clientId", "x", "fullName", "y")))
        .build()).build();

    assertThatThrownBy(() -> lost.deserializeEvents(TOPIC,
        stored(CLIENT_CREATED, "clientId", "c-8", "fullName", "Alan")))
        .isInstanceOf(AvroDecodingException.class)
        .hasMessageContaining("io.eskafka.testdata.retired.Nowhere");
  }

  /** A type no class exists for and no upcaster handles. */
  private static final Schema NOWHERE = new Schema.Parser().parse("""
      {"type": "record", "name": "Nowhere", "namespace": "io.eskafka.testdata.retired",
       "fields": [{"name": "clientId", "type": "string"}, {"name": "fullName", "type": "string"}]}
      """);

  @Test
  void oneUpcasterPerType() {
    assertThatThrownBy(() -> Upcasters.builder().on("a.B", List::of).on("a.B", List::of))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a.B");
  }

  private byte[] stored(Schema schema, Object... fieldsAndValues) {
    int id = registry.register(TOPIC + "-" + schema.getFullName(), schema);
    return SerdeTestSupport.frame(id, schema, record(schema, fieldsAndValues));
  }

  private static GenericRecord record(Schema schema, Object... fieldsAndValues) {
    GenericData.Record record = new GenericData.Record(schema);
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      record.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    return record;
  }
}
