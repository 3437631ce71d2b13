package io.eskafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eskafka.examples.BankApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The demo scenario against the images docker-compose.yml uses (official Kafka in KRaft mode,
 * Apicurio with its Confluent-compatible API), the app running in this JVM. Skipped, and reported
 * as skipped, where there is no Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersIT {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.4.0");

  @Container
  static final GenericContainer<?> REGISTRY =
      new GenericContainer<>("apicurio/apicurio-registry-mem:2.4.2.Final")
          .withExposedPorts(8080)
          .withEnv("REGISTRY_RULES_GLOBAL_COMPATIBILITY", "BACKWARD")
          .waitingFor(Wait.forHttp("/health/ready").forPort(8080)
              .withStartupTimeout(Duration.ofMinutes(2)));

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void demoScenarioOverHttp() throws Exception {
    Settings settings = SettingsLoader.load(null, Map.of(), Map.of(
        "bootstrap.servers", KAFKA.getBootstrapServers(),
        "registry.url", "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080)
            + "/apis/ccompat/v7",
        "http.port", "0",
        "topics.partitions", "3",
        "startup.timeout.ms", "120000"));
    try (AppRuntime runtime = AppRuntime.start(new BankApp().deployment(), settings, line -> { })) {
      String base = "http://127.0.0.1:" + runtime.httpPort() + "/aggregates/bank-account/streams/";
      assertThat(post(base + "acc-1", "OpenAccount", "{\"owner\": \"Ada\"}").statusCode())
          .isEqualTo(201);
      assertThat(post(base + "acc-1", "Deposit", "{\"amountCents\": 10000}").statusCode())
          .isEqualTo(200);
      assertThat(post(base + "acc-1", "Withdraw", "{\"amountCents\": 50000}").statusCode())
          .isEqualTo(422);
      HttpResponse<String> state = HTTP.send(HttpRequest.newBuilder(URI.create(base + "acc-1"))
          .build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = MAPPER.readTree(state.body());
      assertThat(body.get("version").asLong()).isEqualTo(2);
      assertThat(body.get("state").get("balanceCents").asLong()).isEqualTo(10000);
    }
  }

  private static HttpResponse<String> post(String stream, String type, String payload)
      throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stream + "/commands"))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"" + type + "\", \"payload\": "
            + payload + "}")).build(), HttpResponse.BodyHandlers.ofString());
  }
}
