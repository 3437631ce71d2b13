package io.eskafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API against a real runtime on the embedded broker and the dev registry. */
class HttpApiIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static AppRuntime runtime;
  private static String base;

  @BeforeAll
  static void start() {
    runtime = AppRuntime.start(TestDeployments.bank("http-account"),
        TestDeployments.settings("application.id", "http-it"), line -> { });
    base = "http://127.0.0.1:" + runtime.httpPort();
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void commandOutcomesMapToHttpStatuses() throws Exception {
    Response open = post("acc-1", "{\"type\": \"OpenAccount\", \"payload\": {\"owner\": \"Ada\"}}");
    assertThat(open.status()).as(open.body().toString()).isEqualTo(201);
    assertThat(open.body().get("status").asText()).isEqualTo("ACCEPTED");
    assertThat(open.body().get("version").asLong()).isEqualTo(1);
    assertThat(open.body().get("events").get(0).get("type").asText()).isEqualTo("AccountOpened");
    assertThat(open.body().get("events").get(0).get("data").get("owner").asText()).isEqualTo("Ada");

    Response deposit = post("acc-1", "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": 100},"
        + " \"commandId\": \"http-dep-1\"}");
    assertThat(deposit.status()).isEqualTo(200);
    assertThat(deposit.body().get("events").get(0).get("data").get("balanceCents").asLong())
        .isEqualTo(100);

    Response again = post("acc-1", "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": 100},"
        + " \"commandId\": \"http-dep-1\"}");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("duplicate").asBoolean()).isTrue();
    assertThat(again.body().get("version").asLong()).isEqualTo(2);

    Response rejected = post("acc-1", "{\"type\": \"Withdraw\", \"payload\": {\"amountCents\": 500}}");
    assertThat(rejected.status()).isEqualTo(422);
    assertThat(rejected.body().get("reason").asText())
        .isEqualTo("insufficient funds: balance 100, withdrawal 500");

    Response conflict = post("acc-1", "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": 1},"
        + " \"expectedVersion\": 1}");
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.body().get("status").asText()).isEqualTo("CONFLICT");

    Response state = get("/aggregates/http-account/streams/acc-1");
    assertThat(state.status()).isEqualTo(200);
    assertThat(state.body().get("version").asLong()).isEqualTo(2);
    assertThat(state.body().get("state").toString())
        .isEqualTo("{\"status\":\"OPEN\",\"owner\":\"Ada\",\"balanceCents\":100}");
  }

  @Test
  void badRequestsNameTheirCause() throws Exception {
    Response badField = post("acc-2", "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": \"abc\"}}");
    assertThat(badField.status()).isEqualTo(400);
    assertThat(badField.body().get("field").asText()).isEqualTo("payload.amountCents");
    assertThat(badField.body().get("problem").asText()).isEqualTo("expected long, got \"abc\"");

    Response malformed = post("acc-2", "{\"type\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body().get("error").asText()).startsWith("malformed JSON");

    Response unknownType = post("acc-2", "{\"type\": \"Transfer\", \"payload\": {}}");
    assertThat(unknownType.status()).isEqualTo(404);
    assertThat(unknownType.body().get("error").asText()).contains("unknown command type 'Transfer'")
        .contains("OpenAccount, Deposit, Withdraw, CloseAccount");

    Response unknownAggregate = send(HttpRequest.newBuilder(URI.create(base
        + "/aggregates/cart/streams/c-1/commands")).POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(unknownAggregate.status()).isEqualTo(404);
    assertThat(unknownAggregate.body().get("error").asText())
        .isEqualTo("unknown aggregate 'cart'; known: http-account");

    Response noStream = get("/aggregates/http-account/streams/never-written");
    assertThat(noStream.status()).isEqualTo(404);
    assertThat(noStream.body().get("error").asText())
        .isEqualTo("stream never-written of http-account has no events");
  }

  @Test
  void healthAndPrometheusMetrics() throws Exception {
    Response live = get("/health/live");
    assertThat(live.status()).isEqualTo(200);
    Response ready = get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body().toString())
        .isEqualTo("{\"status\":\"UP\",\"aggregates\":{\"http-account\":\"RUNNING\"}}");

    post("acc-3", "{\"type\": \"OpenAccount\", \"payload\": {\"owner\": \"Cy\"}}");
    HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("eskafka_commands_total{aggregate=\"http-account\",status=\"ACCEPTED\"}")
        .contains("eskafka_command_duration_seconds_count{aggregate=\"http-account\"")
        // Kafka Streams' own metrics, bound by KafkaStreamsMetrics and tagged with the aggregate:
        .containsPattern("kafka_stream_thread_process_total\\{aggregate=\"http-account\"")
        .contains("jvm_memory_used_bytes");
  }

  private record Response(int status, JsonNode body) {}

  private Response post(String streamId, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + "/aggregates/http-account/streams/"
        + streamId + "/commands")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private Response get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  private static Response send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/json");
    return new Response(response.statusCode(), MAPPER.readTree(response.body()));
  }
}
