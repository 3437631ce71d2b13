package io.eskafka.kafka.serde;

import io.eskafka.testdata.Address;
import io.eskafka.testdata.Priority;
import io.eskafka.testdata.Shipment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

final class SerdeTestSupport {

  /** Version 1 of io.eskafka.testdata.Customer: the generated class is version 2 (adds email). */
  static final String CUSTOMER_V1 = """
      {"type": "record", "name": "Customer", "namespace": "io.eskafka.testdata",
             "fields": [
               {"name": "id", "type": "string"},
               {"name": "name", "type": "string"}
             ]}
      """;

  private SerdeTestSupport() {
  }

  static Shipment fullShipment(String id) {
    return Shipment.newBuilder()
        .setId(id)
        .setWeightGrams(12_345L)
        .setPriority(Priority.HIGH)
        .setDestination(Address.newBuilder().setStreet("1 Main St").setPostcode("10115").build())
        .setReturnAddress(Address.newBuilder().setStreet("2 Side St").build())
        .setFallbackPriority(Priority.LOW)
        .setStops(List.of(
            Address.newBuilder().setStreet("Depot A").build(),
            Address.newBuilder().setStreet("Depot B").setPostcode("20095").build()))
        .setLabels(List.of("fragile", "this side up"))
        .setCounters(Map.of("scans", 3, "attempts", 1))
        .build();
  }

  /** Confluent framing built by hand, independently of AvroSerde. */
  static byte[] frame(int schemaId, Schema schema, GenericRecord record) {
    try {
      ByteArrayOutputStream avro = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(avro, null);
      new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
      encoder.flush();
      byte[] body = avro.toByteArray();
      return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
