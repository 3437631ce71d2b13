package io.eskafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
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
        TestDeployments.settings("application.id", "http-it", "query.timeout.ms", "1000"),
        line -> { });
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

  @Test
  void streamReadsEventsStateAtVersionAndTimeAndTrace() throws Exception {
    post("acc-r", "{\"type\": \"OpenAccount\", \"payload\": {\"owner\": \"Ada\"}}");
    post("acc-r", "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": 250}}");
    Response last = post("acc-r", "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": 100}}");
    assertThat(last.body().get("version").asLong()).isEqualTo(3);

    String stream = "/aggregates/http-account/streams/acc-r";
    HttpResponse<String> raw = HTTP.send(HttpRequest.newBuilder(URI.create(base + stream
        + "/events?minVersion=3")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(raw.statusCode()).as(raw.body()).isEqualTo(200);
    assertThat(raw.headers().firstValue(HttpApi.SERVED_BY)).contains(runtime.advertisedAddress());
    JsonNode events = MAPPER.readTree(raw.body());
    assertThat(events.get("streamId").asText()).isEqualTo("acc-r");
    assertThat(events.get("events")).hasSize(3);
    JsonNode second = events.get("events").get(1);
    assertThat(second.get("version").asLong()).isEqualTo(2);
    assertThat(second.get("type").asText()).isEqualTo("MoneyDeposited");
    assertThat(second.get("data").toString()).isEqualTo("{\"amountCents\":250,\"balanceCents\":250}");
    assertThat(second.get("eventId").asText()).isNotEmpty();
    Instant secondAppended = Instant.parse(second.get("appendedAt").asText());

    Response range = get(stream + "/events?from=2&to=2");
    assertThat(range.body().get("events")).hasSize(1);
    assertThat(range.body().get("events").get(0).get("version").asLong()).isEqualTo(2);
    Response beyond = get(stream + "/events?from=9");
    assertThat(beyond.status()).isEqualTo(200);
    assertThat(beyond.body().get("events")).isEmpty();

    Response atVersion = get(stream + "?version=2");
    assertThat(atVersion.status()).isEqualTo(200);
    assertThat(atVersion.body().get("version").asLong()).isEqualTo(2);
    assertThat(atVersion.body().get("state").get("balanceCents").asLong()).isEqualTo(250);
    Response atTime = get(stream + "?at=" + secondAppended);
    assertThat(atTime.body().get("version").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(atTime.body().get("state").get("balanceCents").asLong())
        .isEqualTo(atTime.body().get("version").asLong() == 2 ? 250 : 350);
    Response before = get(stream + "?at=2000-01-01T00:00:00Z");
    assertThat(before.status()).isEqualTo(404);
    assertThat(before.body().get("error").asText())
        .isEqualTo("stream acc-r of http-account had no events yet at 2000-01-01T00:00:00Z");
    Response noVersion = get(stream + "?version=9");
    assertThat(noVersion.status()).isEqualTo(404);
    assertThat(noVersion.body().get("error").asText())
        .isEqualTo("stream acc-r of http-account has no version 9 (it is at version 3)");

    Response trace = get(stream + "/trace");
    assertThat(trace.status()).isEqualTo(200);
    assertThat(trace.body().get("initialState").get("status").asText()).isEqualTo("NOT_OPENED");
    assertThat(trace.body().get("steps")).hasSize(3);
    assertThat(trace.body().get("steps").get(2).get("stateAfter").get("balanceCents").asLong())
        .isEqualTo(350);
    assertThat(trace.body().get("rendered").asText()).startsWith("stream acc-r: 3 events\n")
        .contains("MoneyDeposited  {\"amountCents\": 100, \"balanceCents\": 350}");

    Response waited = get(stream + "?minVersion=3");
    assertThat(waited.status()).isEqualTo(200);
    Response tooFar = get(stream + "?minVersion=4");
    assertThat(tooFar.status()).isEqualTo(504);
    assertThat(tooFar.body().get("reason").asText()).isEqualTo("MIN_VERSION_TIMEOUT");
    assertThat(tooFar.body().get("error").asText())
        .startsWith("stream acc-r did not reach version 4 within PT1S: at version 3");
  }

  @Test
  void badQueryParametersAreNamed() throws Exception {
    String stream = "/aggregates/http-account/streams/acc-p";
    assertBadParam(get(stream + "?version=abc"), "version", "expected an integer >= 1, got 'abc'");
    assertBadParam(get(stream + "?version=0"), "version", "expected an integer >= 1, got '0'");
    assertBadParam(get(stream + "?at=yesterday"), "at",
        "expected an ISO-8601 instant such as 2026-11-26T09:45:52Z, got 'yesterday'");
    assertBadParam(get(stream + "?version=1&at=2026-01-01T00:00:00Z"), "at",
        "give either version or at, not both");
    assertBadParam(get(stream + "?verison=1"), "verison",
        "unknown parameter; this route takes version, at, minVersion");
    assertBadParam(get(stream + "?minVersion=-1"), "minVersion",
        "expected an integer >= 0, got '-1'");
    assertBadParam(get(stream + "/events?from=0"), "from", "expected an integer >= 1, got '0'");
    assertBadParam(get(stream + "/events?from=3&to=2"), "to", "must be >= from (3), got 2");
    assertBadParam(get(stream + "/events?from=1&from=2"), "from", "given 2 times; give it once");
    assertBadParam(get(stream + "/trace?from=1"), "from",
        "unknown parameter; this route takes minVersion");
    assertThat(get(stream + "/events").status()).isEqualTo(404);
    assertThat(get(stream + "/trace").body().get("error").asText())
        .isEqualTo("stream acc-p of http-account has no events");
    assertThat(get("/aggregates/cart/streams/c-1/events").body().get("error").asText())
        .isEqualTo("unknown aggregate 'cart'; known: http-account");
  }

  @Test
  void aDeletedStreamIsGone() throws Exception {
    post("acc-gone", "{\"type\": \"OpenAccount\", \"payload\": {\"owner\": \"Bo\"}}");
    runtime.aggregate("http-account").gateway().deleteStream("acc-gone")
        .get(60, java.util.concurrent.TimeUnit.SECONDS);
    Response state = get("/aggregates/http-account/streams/acc-gone");
    assertThat(state.status()).isEqualTo(410);
    assertThat(state.body().get("error").asText())
        .startsWith("stream acc-gone of http-account was deleted at ");
    assertThat(get("/aggregates/http-account/streams/acc-gone/events").status()).isEqualTo(410);
  }

  @Test
  void streamReadOnTheCommandLinePrintsEventsStatesAndTraces() throws Exception {
    post("acc-cli", "{\"type\": \"OpenAccount\", \"payload\": {\"owner\": \"Cy\"}}");
    post("acc-cli", "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": 700}}");

    Cli events = cli("stream", "read", "http-account", "acc-cli", "--url", base);
    assertThat(events.exitCode()).as(events.err()).isZero();
    assertThat(events.out().lines()).hasSize(3);
    assertThat(events.out()).startsWith("stream acc-cli: 2 events\n")
        .containsPattern("  v1  \\S+Z  AccountOpened  \\{\"owner\":\"Cy\"\\}\n")
        .containsPattern("  v2  \\S+Z  MoneyDeposited  "
            + "\\{\"amountCents\":700,\"balanceCents\":700\\}\n");
    Cli from = cli("stream", "read", "http-account", "acc-cli", "--from", "2", "--url", base);
    assertThat(from.out()).startsWith("stream acc-cli: 1 event\n").contains("  v2  ");

    Cli atVersion = cli("stream", "read", "http-account", "acc-cli", "--at-version", "1",
        "--url", base);
    assertThat(atVersion.exitCode()).isZero();
    assertThat(atVersion.out()).startsWith("stream acc-cli at v1 (").endsWith(
        ")  {\"status\":\"OPEN\",\"owner\":\"Cy\",\"balanceCents\":0}\n");

    Cli trace = cli("stream", "read", "http-account", "acc-cli", "--trace", "--url", base);
    assertThat(trace.exitCode()).isZero();
    assertThat(trace.out()).startsWith("stream acc-cli: 2 events\n"
        + "  initial  {\"status\": \"NOT_OPENED\", \"owner\": null, \"balanceCents\": 0}\n")
        .contains("    state  {\"status\": \"OPEN\", \"owner\": \"Cy\", \"balanceCents\": 700}");

    Cli none = cli("stream", "read", "http-account", "nobody", "--url", base);
    assertThat(none.exitCode()).isEqualTo(io.eskafka.cli.ExitCode.ERROR);
    assertThat(none.err().strip())
        .isEqualTo("eskafka: stream nobody of http-account has no events");
    Cli unknown = cli("stream", "read", "cart", "c-1", "--url", base);
    assertThat(unknown.exitCode()).isEqualTo(io.eskafka.cli.ExitCode.ERROR);
    assertThat(unknown.err().strip())
        .isEqualTo("eskafka: unknown aggregate 'cart'; known: http-account");
  }

  private record Cli(int exitCode, String out, String err) {}

  private static Cli cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = new io.eskafka.cli.Eskafka(java.util.Map.of(), new java.io.PrintWriter(out, true),
        new java.io.PrintWriter(err, true)).execute(args);
    return new Cli(code, out.toString(), err.toString());
  }

  private static void assertBadParam(Response response, String param, String problem) {
    assertThat(response.status()).as(response.body().toString()).isEqualTo(400);
    assertThat(response.body().get("param").asText()).isEqualTo(param);
    assertThat(response.body().get("problem").asText()).isEqualTo(problem);
    assertThat(response.body().get("error").asText())
        .isEqualTo("query parameter " + param + ": " + problem);
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
