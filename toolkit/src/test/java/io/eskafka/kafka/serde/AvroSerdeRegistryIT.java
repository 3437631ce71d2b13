package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eskafka.testdata.Address;
import io.eskafka.testdata.Customer;
import io.eskafka.testdata.Priority;
import io.eskafka.testdata.Shipment;
import io.eskafka.testing.DevSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link AvroSerde} on {@link HttpSchemaRegistry} against the real Apicurio registry, and the wire
 * evidence of issue #4: bytes our serde writes are plain Confluent format readable by plain Avro,
 * and Confluent-format bytes built without our code are readable by our serde. The "independent"
 * side uses only java.net.http, Jackson and Avro's generic API: no class from io.eskafka.
 */
class AvroSerdeRegistryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient PLAIN_HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private static String url;

  @BeforeAll
  static void startRegistry() {
    url = DevSchemaRegistry.shared().url();
  }

  private static String topic() {
    return "it-" + UUID.randomUUID();
  }

  @Test
  void aRecordRoundTripsThroughTheSerdeOnTheRealRegistry() {
    AvroSerde serde = AvroSerde.create(HttpSchemaRegistry.create(url));
    Shipment shipment = Shipment.newBuilder()
        .setId("s-1")
        .setWeightGrams(1250)
        .setPriority(Priority.HIGH)
        .setDestination(new Address("1 Main St", "12345"))
        .setStops(List.of(new Address("Depot", null)))
        .setLabels(List.of("fragile"))
        .setCounters(Map.of("scans", 3))
        .build();
    String topic = topic();

    byte[] bytes = serde.serialize(topic, shipment);
    // A second serde instance has empty caches: it must fetch the writer schema by id.
    AvroSerde reader = AvroSerde.create(HttpSchemaRegistry.create(url));

    assertThat(reader.deserialize(topic, bytes)).isEqualTo(shipment);
    assertThat(reader.deserialize(topic, bytes, Shipment.class)).isEqualTo(shipment);
  }

  @Test
  void bytesOurSerdeWroteAreDecodedByPlainAvroWithTheSchemaFetchedByIdOverPlainHttp() throws Exception {
    AvroSerde serde = AvroSerde.create(HttpSchemaRegistry.create(url));
    Customer customer = new Customer("c-1", "Ada", "ada@example.org");

    byte[] bytes = serde.serialize(topic(), customer);

    ByteBuffer frame = ByteBuffer.wrap(bytes);
    assertThat(frame.get()).isEqualTo((byte) 0);
    int id = frame.getInt();
    String schemaJson = JSON.readTree(get("/schemas/ids/" + id)).get("schema").asText();
    Schema writer = new Schema.Parser().parse(schemaJson);
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
    GenericRecord decoded = new GenericDatumReader<GenericRecord>(writer).read(null, decoder);

    assertThat(decoder.isEnd()).isTrue();
    assertThat(writer.getFullName()).isEqualTo("io.eskafka.testdata.Customer");
    assertThat(decoded.get("id")).hasToString("c-1");
    assertThat(decoded.get("name")).hasToString("Ada");
    assertThat(decoded.get("email")).hasToString("ada@example.org");
  }

  @Test
  void confluentBytesBuiltIndependentlyAreDecodedByOurSerde() throws Exception {
    // Written by "another producer" with version 1 of Customer (no email field), registered by
    // a plain HTTP POST: our serde must read it into the version-2 class via schema resolution.
    Schema v1 = HttpSchemaRegistryIT.CUSTOMER_V1;
    String topic = topic();
    String subject = topic + "-io.eskafka.testdata.Customer";
    String answer = post("/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions",
        JSON.writeValueAsString(Map.of("schema", v1.toString())));
    int id = JSON.readTree(answer).get("id").asInt();
    GenericRecord record = new GenericData.Record(v1);
    record.put("id", "c-7");
    record.put("name", "Grace");
    ByteArrayOutputStream avro = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(avro, null);
    new GenericDatumWriter<GenericRecord>(v1).write(record, encoder);
    encoder.flush();
    byte[] payload = avro.toByteArray();
    byte[] bytes = ByteBuffer.allocate(5 + payload.length).put((byte) 0).putInt(id).put(payload).array();

    AvroSerde serde = AvroSerde.create(HttpSchemaRegistry.create(url));

    assertThat(serde.deserialize(topic, bytes, Customer.class))
        .isEqualTo(new Customer("c-7", "Grace", "unknown@example.invalid"));
    assertThat(serde.deserialize(topic, bytes))
        .isEqualTo(new Customer("c-7", "Grace", "unknown@example.invalid"));
  }

  private static String get(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + path))
        .timeout(Duration.ofSeconds(10))
        .GET()
        .build();
    return bodyOf(PLAIN_HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static String post(String path, String body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return bodyOf(PLAIN_HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static String bodyOf(HttpResponse<String> response) {
    assertThat(response.statusCode()).as("HTTP status of %s: %s", response.uri(), response.body()).isEqualTo(200);
    return response.body();
  }
}
