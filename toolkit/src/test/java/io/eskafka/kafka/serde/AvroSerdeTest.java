package io.eskafka.kafka.serde;

import static io.eskafka.kafka.serde.SerdeTestSupport.fullShipment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.testdata.Address;
import io.eskafka.testdata.Customer;
import io.eskafka.testdata.Priority;
import io.eskafka.testdata.Shipment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static final String TOPIC = "shipments";
  private static final String SHIPMENT_SUBJECT = "shipments-io.eskafka.testdata.Shipment";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerde serde = AvroSerde.create(registry);

  @Test
  void roundTripsNestedRecordEnumUnionArrayAndMapFromAnUntrustedNamespace() {
    // The point of this test: no JVM flag names io.eskafka.testdata, yet Avro instantiates it.
    assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES")).isNull();
    assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_CLASSES")).isNull();
    Shipment shipment = fullShipment("s-1");

    byte[] bytes = serde.serialize(TOPIC, shipment);
    SpecificRecord untyped = serde.deserialize(TOPIC, bytes);
    Shipment typed = serde.deserialize(TOPIC, bytes, Shipment.class);

    assertThat(untyped).isInstanceOf(Shipment.class).isEqualTo(shipment);
    assertThat(typed).isEqualTo(shipment);
    // Nested types came back as generated classes, not as generic fallbacks.
    assertThat(typed.getDestination()).isInstanceOf(Address.class);
    assertThat(typed.getReturnAddress()).isInstanceOf(Address.class);
    assertThat(typed.getStops()).allSatisfy(stop -> assertThat(stop).isInstanceOf(Address.class));
    assertThat(typed.getPriority()).isSameAs(Priority.HIGH);
    assertThat(typed.getFallbackPriority()).isSameAs(Priority.LOW);
    assertThat(typed.getCounters()).containsExactlyInAnyOrderEntriesOf(Map.of("scans", 3, "attempts", 1));
    assertThat(AvroClassTrust.isTrusted(Shipment.class)).isTrue();
    assertThat(AvroClassTrust.isTrusted(Address.class)).isTrue();
    assertThat(AvroClassTrust.isTrusted(Priority.class)).isTrue();
  }

  @Test
  void unionsHoldingNullRoundTrip() {
    Shipment sparse = Shipment.newBuilder(fullShipment("s-2"))
        .setReturnAddress(null).setFallbackPriority(null).setStops(List.of()).setCounters(Map.of())
        .build();

    assertThat(serde.deserialize(TOPIC, serde.serialize(TOPIC, sparse))).isEqualTo(sparse);
  }

  @Test
  void writesConfluentWireFormat() throws Exception {
    Shipment shipment = fullShipment("s-3");

    byte[] bytes = serde.serialize(TOPIC, shipment);

    int registeredId = registry.latest(SHIPMENT_SUBJECT).orElseThrow().id();
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId);
    Schema registered = registry.getById(registeredId);
    GenericRecord plain = new GenericDatumReader<GenericRecord>(registered)
        .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
    assertThat(plain.get("id")).hasToString("s-3");
    assertThat(plain.get("weightGrams")).isEqualTo(12_345L);
    assertThat(plain.get("priority")).hasToString("HIGH");
    assertThat(((GenericRecord) plain.get("destination")).get("postcode")).hasToString("10115");
    assertThat((List<?>) plain.get("stops")).hasSize(2);
  }

  @Test
  void decodesBytesFramedByHand() {
    Schema schema = Shipment.getClassSchema();
    int id = registry.register("anything", schema);
    Schema addressSchema = schema.getField("destination").schema();
    Schema prioritySchema = schema.getField("priority").schema();
    GenericRecord destination = new GenericRecordBuilder(addressSchema)
        .set("street", "Hand St").set("postcode", null).build();
    GenericRecord record = new GenericRecordBuilder(schema)
        .set("id", "by-hand")
        .set("weightGrams", 7L)
        .set("priority", new GenericData.EnumSymbol(prioritySchema, "NORMAL"))
        .set("destination", destination)
        .set("labels", List.of("x"))
        .set("counters", Map.of("k", 9))
        .build();

    SpecificRecord decoded = serde.deserialize(TOPIC, SerdeTestSupport.frame(id, schema, record));

    assertThat(decoded).isEqualTo(Shipment.newBuilder()
        .setId("by-hand").setWeightGrams(7L).setPriority(Priority.NORMAL)
        .setDestination(Address.newBuilder().setStreet("Hand St").build())
        .setLabels(List.of("x")).setCounters(Map.of("k", 9))
        .build());
  }

  @Test
  void registersUnderTopicRecordNameSubjects() {
    serde.serialize(TOPIC, fullShipment("s-4"));
    serde.serialize("customers", new Customer("c-1", "Ada", "ada@example.org"));

    assertThat(registry.subjects()).containsExactlyInAnyOrder(
        SHIPMENT_SUBJECT, "customers-io.eskafka.testdata.Customer");
    assertThat(AvroSerde.subjectName("t", Customer.getClassSchema())).isEqualTo("t-io.eskafka.testdata.Customer");
  }

  @Test
  void sameSchemaKeepsItsIdAcrossSerdesAndTopics() {
    byte[] first = serde.serialize(TOPIC, fullShipment("a"));
    byte[] again = AvroSerde.create(registry).serialize(TOPIC, fullShipment("b"));
    byte[] otherTopic = serde.serialize("archive", fullShipment("c"));

    assertThat(idOf(again)).isEqualTo(idOf(first));
    assertThat(idOf(otherTopic)).isEqualTo(idOf(first));
    assertThat(registry.versions(SHIPMENT_SUBJECT)).containsExactly(1);
    assertThat(registry.versions("archive-io.eskafka.testdata.Shipment")).containsExactly(1);
  }

  @Test
  void readsVersionOneBytesIntoTheVersionTwoClass() {
    Schema v1 = new Schema.Parser().parse(SerdeTestSupport.CUSTOMER_V1);
    int v1Id = registry.register("customers-io.eskafka.testdata.Customer", v1);
    byte[] v1Bytes = SerdeTestSupport.frame(v1Id,
        v1, new GenericRecordBuilder(v1).set("id", "c-7").set("name", "Grace").build());

    Customer typed = serde.deserialize("customers", v1Bytes, Customer.class);
    SpecificRecord untyped = serde.deserialize("customers", v1Bytes);

    Customer expected = new Customer("c-7", "Grace", "unknown@example.invalid");
    assertThat(typed).isEqualTo(expected);
    assertThat(untyped).isEqualTo(expected);
    // And the current class writes a new version under the same subject.
    byte[] v2Bytes = serde.serialize("customers", expected);
    assertThat(idOf(v2Bytes)).isNotEqualTo(v1Id);
    assertThat(registry.versions("customers-io.eskafka.testdata.Customer")).containsExactly(1, 2);
  }

  @Test
  void autoRegistrationOffUsesExistingRegistrationOrFailsClearly() {
    AvroSerde strict = AvroSerde.builder(registry).autoRegister(false).build();
    Customer customer = new Customer("c-1", "Ada", "ada@example.org");

    assertThatThrownBy(() -> strict.serialize("customers", customer))
        .isInstanceOf(SerializationException.class)
        .hasMessage("schema of io.eskafka.testdata.Customer is not registered under subject "
            + "'customers-io.eskafka.testdata.Customer' and auto-registration is off: register it before writing");
    assertThat(registry.subjects()).isEmpty();

    int id = registry.register("customers-io.eskafka.testdata.Customer", Customer.getClassSchema());
    byte[] bytes = strict.serialize("customers", customer);
    assertThat(idOf(bytes)).isEqualTo(id);
    assertThat(strict.deserialize("customers", bytes)).isEqualTo(customer);
  }

  @Test
  void nullRecordSerializesToNull() {
    assertThat(serde.serialize(TOPIC, null)).isNull();
  }

  @Test
  void encodingFailureNamesRecordAndTopic() {
    Customer broken = new Customer();
    broken.setId("c-1"); // name and email left null although required

    assertThatThrownBy(() -> serde.serialize("customers", broken))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot encode io.eskafka.testdata.Customer for topic customers: ");
  }

  @Test
  void kafkaSerdeViewsRoundTripAndPassTombstonesThrough() {
    Serde<SpecificRecord> any = serde.asSerde();
    Serde<Customer> customers = serde.serdeFor(Customer.class);
    Customer customer = new Customer("c-1", "Ada", "ada@example.org");

    assertThat(any.deserializer().deserialize(TOPIC, any.serializer().serialize(TOPIC, customer))).isEqualTo(customer);
    Customer typed = customers.deserializer().deserialize(TOPIC, customers.serializer().serialize(TOPIC, customer));
    assertThat(typed).isEqualTo(customer);
    assertThat(any.serializer().serialize(TOPIC, null)).isNull();
    assertThat(any.deserializer().deserialize(TOPIC, null)).isNull();
    assertThat(customers.deserializer().deserialize(TOPIC, null)).isNull();
    assertThat(serde.asSerde()).isSameAs(any);
  }

  @Test
  void concurrentUseFromSeveralThreadsGivesEqualResults() throws Exception {
    int threads = 8;
    int perThread = 300;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        tasks.add(() -> {
          int checked = 0;
          for (int i = 0; i < perThread; i++) {
            String id = thread + "-" + i;
            Shipment shipment = fullShipment(id);
            Customer customer = new Customer(id, "n" + i, "e" + i);
            byte[] shipmentBytes = serde.serialize(TOPIC, shipment);
            byte[] customerBytes = serde.serialize("customers", customer);
            assertThat(serde.deserialize(TOPIC, shipmentBytes)).isEqualTo(shipment);
            assertThat(serde.deserialize("customers", customerBytes, Customer.class)).isEqualTo(customer);
            checked++;
          }
          return checked;
        });
      }
      int total = 0;
      for (Future<Integer> result : pool.invokeAll(tasks)) {
        total += result.get(10, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(threads * perThread);
      assertThat(registry.versions(SHIPMENT_SUBJECT)).containsExactly(1);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- decoding errors ----

  @Test
  void nullBytesAreRejected() {
    assertDecodingError(null, "null payload: expected Confluent wire format bytes", null);
  }

  @Test
  void emptyBytesAreRejected() {
    assertDecodingError(new byte[0], "empty payload: expected Confluent wire format bytes", null);
  }

  @Test
  void wrongMagicByteIsRejected() {
    byte[] json = "{\"id\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertDecodingError(json, "unknown magic byte 0x7b: not Confluent wire format (first byte must be 0x00)", null);
  }

  @Test
  void payloadShorterThanTheHeaderIsRejected() {
    assertDecodingError(new byte[] {0, 0, 0},
        "truncated payload: 3 bytes, Confluent wire format needs at least 5 (magic byte and 4-byte schema id)", null);
  }

  @Test
  void truncatedAvroBodyIsRejected() {
    byte[] bytes = serde.serialize(TOPIC, fullShipment("s-5"));
    int id = idOf(bytes);
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 10);

    assertDecodingError(cut, "truncated payload: Avro data ends early (schema id " + id + ")", id);
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] bytes = serde.serialize("customers", new Customer("c", "n", "e"));
    int id = idOf(bytes);
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

    assertDecodingError(longer, "corrupt payload: bytes left over after the record (schema id " + id
        + "): the bytes do not match their writer schema", id);
  }

  @Test
  void unknownSchemaIdIsRejected() {
    byte[] bytes = ByteBuffer.allocate(6).put((byte) 0).putInt(4711).put((byte) 2).array();

    assertDecodingError(bytes, "unknown schema id 4711: the registry does not know it", 4711);
  }

  @Test
  void writerRecordWithoutGeneratedClassIsRejected() {
    Schema ghost = new Schema.Parser().parse("""
        {"type": "record", "name": "Ghost", "namespace": "io.eskafka.testdata.missing",
                 "fields": [{"name": "x", "type": "int"}]}""");
    int id = registry.register("ghosts-io.eskafka.testdata.missing.Ghost", ghost);
    byte[] bytes = SerdeTestSupport.frame(id, ghost, new GenericRecordBuilder(ghost).set("x", 1).build());

    assertDecodingError(bytes, "no class on the classpath for writer record io.eskafka.testdata.missing.Ghost"
        + " (schema id " + id + "): expected generated class io.eskafka.testdata.missing.Ghost", id);
  }

  @Test
  void writerRecordNotMatchingTheExpectedClassIsRejected() {
    byte[] bytes = serde.serialize("customers", new Customer("c", "n", "e"));
    int id = idOf(bytes);

    assertThatThrownBy(() -> serde.deserialize("customers", bytes, Shipment.class))
        .isInstanceOf(AvroDecodingException.class)
        .hasMessage("writer record io.eskafka.testdata.Customer (schema id " + id
            + ") does not match expected io.eskafka.testdata.Shipment (record io.eskafka.testdata.Shipment, aliases [])")
        .satisfies(e -> assertThat(((AvroDecodingException) e).schemaId()).hasValue(id));
  }

  @Test
  void writerSchemaThatCannotBeResolvedIsRejected() {
    // Same record name, but a required field the generated class lacks a default for is missing.
    Schema incompatible = new Schema.Parser().parse("""
        {"type": "record", "name": "Customer", "namespace": "io.eskafka.testdata",
                 "fields": [{"name": "id", "type": "string"}]}""");
    int id = registry.register("customers-io.eskafka.testdata.Customer", incompatible);
    byte[] bytes = SerdeTestSupport.frame(id, incompatible,
        new GenericRecordBuilder(incompatible).set("id", "c").build());

    assertThatThrownBy(() -> serde.deserialize("customers", bytes, Customer.class))
        .isInstanceOf(AvroDecodingException.class)
        .hasMessageStartingWith("writer schema id " + id
            + " of io.eskafka.testdata.Customer cannot be resolved into io.eskafka.testdata.Customer: ")
        .hasMessageContaining("name");
  }

  private void assertDecodingError(byte[] bytes, String message, Integer schemaId) {
    assertThatThrownBy(() -> serde.deserialize(TOPIC, bytes))
        .isInstanceOf(AvroDecodingException.class)
        .isInstanceOf(SerializationException.class)
        .hasMessage(message)
        .satisfies(e -> {
          AvroDecodingException decoding = (AvroDecodingException) e;
          if (schemaId == null) {
            assertThat(decoding.schemaId()).isEmpty();
          } else {
            assertThat(decoding.schemaId()).hasValue(schemaId);
          }
        });
  }

  private static int idOf(byte[] bytes) {
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }
}
