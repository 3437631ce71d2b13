package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.eskafka.testdata.Customer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link HttpSchemaRegistry} sends and how it treats answers, against a scripted local HTTP
 * server (no registry needed): retries, credentials, caching, error mapping, path encoding.
 */
class HttpSchemaRegistryTransportTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  // Tiny waits keep the retry tests fast; the backoff arithmetic has its own test.
  private static final RetryPolicy QUICK_RETRIES = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(4));

  private HttpServer server;
  private final Deque<Answer> script = new ArrayDeque<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  /** One scripted answer. */
  private record Answer(int status, String body) {
  }

  /** One request as the server saw it. */
  private record Received(String method, String rawPath, String authorization, String contentType, String body) {
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      received.add(new Received(
          exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath(),
          exchange.getRequestHeaders().getFirst("Authorization"),
          exchange.getRequestHeaders().getFirst("Content-Type"),
          body));
      Answer answer;
      synchronized (script) {
        answer = script.isEmpty() ? new Answer(500, "{\"error_code\":50001,\"message\":\"unscripted\"}") : script.poll();
      }
      byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", HttpSchemaRegistry.CONTENT_TYPE);
      exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private void answer(int status, String body) {
    synchronized (script) {
      script.add(new Answer(status, body));
    }
  }

  private HttpSchemaRegistry.Options options() {
    return HttpSchemaRegistry.Options.of("http://127.0.0.1:" + server.getAddress().getPort() + "/")
        .withRetryPolicy(QUICK_RETRIES);
  }

  private static String schemaAnswer(Schema schema) throws IOException {
    return JSON.writeValueAsString(Map.of("schema", schema.toString()));
  }

  @Test
  void retriesA503TwiceThenSucceedsOnTheThirdAttempt() throws IOException {
    answer(503, "{\"error_code\":50301,\"message\":\"busy\"}");
    answer(503, "");
    answer(200, schemaAnswer(Customer.getClassSchema()));

    Schema schema = HttpSchemaRegistry.create(options()).getById(7);

    assertThat(schema).isEqualTo(Customer.getClassSchema());
    assertThat(received).hasSize(3).allSatisfy(r -> assertThat(r.rawPath()).isEqualTo("/schemas/ids/7"));
  }

  @Test
  void a5xxOnTheLastAttemptBecomesAnExceptionWithStatusCodeAndMessage() {
    answer(503, "{\"error_code\":50301,\"message\":\"busy\"}");
    answer(503, "{\"error_code\":50301,\"message\":\"busy\"}");
    answer(503, "{\"error_code\":50301,\"message\":\"still busy\"}");
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    assertThatThrownBy(() -> registry.getById(7))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.httpStatus()).hasValue(503);
          assertThat(e.errorCode()).hasValue(50301);
          assertThat(e.registryMessage()).hasValue("still busy");
          assertThat(e.isNotFound()).isFalse();
        })
        .hasMessageContaining("after 3 attempts");
    assertThat(received).hasSize(3);
  }

  @Test
  void a4xxIsNeverRetriedAndCarriesTheRegistrysErrorCodeAndMessage() {
    answer(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}");
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    assertThatThrownBy(() -> registry.register("s", Customer.getClassSchema()))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.httpStatus()).hasValue(422);
          assertThat(e.errorCode()).hasValue(42201);
          assertThat(e.registryMessage()).hasValue("Invalid schema");
        })
        .hasMessageContaining("POST /subjects/s/versions answered HTTP 422 (error code 42201): Invalid schema");
    assertThat(received).hasSize(1);
  }

  @Test
  void a404WithARegistryNotFoundCodeIsNotFoundButA404WithoutOneIsNot() {
    answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
    answer(404, "<html>no such path</html>");
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    assertThatThrownBy(() -> registry.getById(42))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.isNotFound()).isTrue();
          assertThat(e.errorCode()).hasValue(40403);
        })
        .hasMessage("unknown schema id 42");
    // A wrong base URL must not read as "no such schema".
    assertThatThrownBy(() -> registry.getById(42))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.isNotFound()).isFalse();
          assertThat(e.httpStatus()).hasValue(404);
          assertThat(e.errorCode()).isEmpty();
          assertThat(e.registryMessage()).hasValue("<html>no such path</html>");
        });
  }

  @Test
  void optionalLookupsAnswerEmptyOnNotFound() {
    answer(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}");
    answer(404, "{\"error_code\":40402,\"message\":\"Version not found\"}");
    answer(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}");
    answer(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}");
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    assertThat(registry.lookup("s", Customer.getClassSchema())).isEmpty();
    assertThat(registry.version("s", 3)).isEmpty();
    assertThat(registry.latest("s")).isEmpty();
    assertThat(registry.versions("s")).isEmpty();
  }

  @Test
  void connectionFailuresAreRetriedThenReported() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(
        HttpSchemaRegistry.Options.of("http://127.0.0.1:" + closedPort).withRetryPolicy(QUICK_RETRIES));

    assertThatThrownBy(registry::subjects)
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.httpStatus()).isEmpty();
          assertThat(e.isNotFound()).isFalse();
        })
        .hasMessageContaining("failed after 3 attempt(s)")
        .hasCauseInstanceOf(ConnectException.class);
  }

  @Test
  void basicCredentialsAreSentAsAnAuthorizationHeader() throws IOException {
    answer(200, "[\"a\"]");
    HttpSchemaRegistry registry =
        HttpSchemaRegistry.create(options().withCredentials(RegistryCredentials.basic("ada", "sécret:1")));

    assertThat(registry.subjects()).containsExactly("a");

    String expected = "Basic " + Base64.getEncoder().encodeToString("ada:sécret:1".getBytes(StandardCharsets.UTF_8));
    assertThat(received).singleElement().extracting(Received::authorization).isEqualTo(expected);
  }

  @Test
  void bearerCredentialsAreSentAsAnAuthorizationHeader() {
    answer(200, "[1,2]");
    HttpSchemaRegistry registry =
        HttpSchemaRegistry.create(options().withCredentials(RegistryCredentials.bearer("tok-123")));

    assertThat(registry.versions("s")).containsExactly(1, 2);

    assertThat(received).singleElement().extracting(Received::authorization).isEqualTo("Bearer tok-123");
  }

  @Test
  void noCredentialsSendNoAuthorizationHeaderAndToStringHidesSecrets() {
    answer(200, "[]");
    HttpSchemaRegistry.create(options()).subjects();

    assertThat(received).singleElement().extracting(Received::authorization).isNull();
    assertThat(RegistryCredentials.basic("ada", "pw").toString()).doesNotContain("pw");
    assertThat(RegistryCredentials.bearer("tok-123").toString()).doesNotContain("tok-123");
  }

  @Test
  void aSchemaFetchedByIdIsFetchedOnce() throws IOException {
    answer(200, schemaAnswer(Customer.getClassSchema()));
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    Schema first = registry.getById(5);
    Schema second = registry.getById(5);

    assertThat(second).isSameAs(first);
    assertThat(received).hasSize(1);
  }

  @Test
  void aFailedFetchIsNotCached() throws IOException {
    answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
    answer(200, schemaAnswer(Customer.getClassSchema()));
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    assertThatThrownBy(() -> registry.getById(5)).isInstanceOf(SchemaRegistryException.class);
    assertThat(registry.getById(5)).isEqualTo(Customer.getClassSchema());
    assertThat(received).hasSize(2);
  }

  @Test
  void registerAndLookupResultsAreCachedPerSubjectAndSchema() throws IOException {
    answer(200, "{\"id\":9}");
    answer(200, JSON.writeValueAsString(
        Map.of("subject", "other", "version", 2, "id", 9, "schema", Customer.getClassSchema().toString())));
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    assertThat(registry.register("s", Customer.getClassSchema())).isEqualTo(9);
    assertThat(registry.register("s", Customer.getClassSchema())).isEqualTo(9);
    RegisteredSchema found = registry.lookup("other", Customer.getClassSchema()).orElseThrow();
    assertThat(registry.lookup("other", Customer.getClassSchema())).contains(found);
    // lookup also feeds the id cache used by register
    assertThat(registry.register("other", Customer.getClassSchema())).isEqualTo(9);

    assertThat(found).extracting(RegisteredSchema::subject, RegisteredSchema::version, RegisteredSchema::id)
        .containsExactly("other", 2, 9);
    assertThat(received).extracting(Received::method, Received::rawPath)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("POST", "/subjects/s/versions"),
            org.assertj.core.groups.Tuple.tuple("POST", "/subjects/other"));
  }

  @Test
  void subjectsArePercentEncodedAndBodiesAreConfluentJson() throws IOException {
    answer(200, "{\"id\":1}");
    HttpSchemaRegistry.create(options()).register("a b/c+d-é", Customer.getClassSchema());

    Received request = received.get(0);
    assertThat(request.rawPath()).isEqualTo("/subjects/a%20b%2Fc%2Bd-%C3%A9/versions");
    assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(JSON.readTree(request.body()).get("schema").asText()).isEqualTo(Customer.getClassSchema().toString());
  }

  @Test
  void compatibilityAnswersAreReadAndAMissingSubjectIsCompatible() {
    answer(200, "{\"is_compatible\":false}");
    answer(200, "{\"is_compatible\":true}");
    answer(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}");
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(options());

    assertThat(registry.isCompatible("s", Customer.getClassSchema())).isFalse();
    assertThat(registry.isCompatible("s", Customer.getClassSchema())).isTrue();
    assertThat(registry.isCompatible("new", Customer.getClassSchema())).isTrue();
    assertThat(received.get(0).rawPath()).isEqualTo("/compatibility/subjects/s/versions/latest");
  }

  @Test
  void backoffDoublesUpToTheCap() {
    RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(350));

    assertThat(List.of(1, 2, 3, 4).stream().map(policy::backoffBefore))
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(350), Duration.ofMillis(350));
  }

  @Test
  void optionsRefuseNonHttpUrlsAndNonPositiveTimeouts() {
    assertThatThrownBy(() -> HttpSchemaRegistry.Options.of("ftp://host/x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpSchemaRegistry.Options.of("http://h").withRequestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
