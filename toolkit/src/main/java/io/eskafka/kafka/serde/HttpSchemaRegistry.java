package io.eskafka.kafka.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A {@link SchemaRegistry} that talks to a registry over the Confluent Schema Registry REST API:
 * Confluent Schema Registry, Apicurio Registry ({@code <base>/apis/ccompat/v7}), Karapace,
 * Redpanda. JSON goes through Jackson; HTTP through {@link java.net.http.HttpClient}.
 *
 * <p><b>Errors:</b> a 4xx answer, and a 5xx answer on the last attempt, become a
 * {@link SchemaRegistryException} carrying the HTTP status and the body's {@code error_code} and
 * {@code message}. 404 with error code 40401 (subject), 40402 (version) or 40403 (schema) means
 * "not found": {@link #getById} throws {@link SchemaRegistryException#notFound}-style exceptions,
 * the {@code Optional}-returning methods return empty. A 404 without those codes (e.g. a wrong
 * base URL) is an ordinary failure. Connection failures and 5xx answers are retried under the
 * {@link RetryPolicy}; 4xx answers never.
 *
 * <p><b>Caching:</b> a schema fetched by id is kept for the life of this instance (a registry never
 * changes the schema behind an id), and concurrent calls for one id share one request. The id of
 * a (subject, schema) pair is kept after a successful {@link #register} or {@link #lookup}, and
 * the registration found by {@link #lookup}, so repeating either makes no request. Negative
 * answers (not registered, not found) are not cached: the schema may be registered later.
 * Subjects, versions, {@link #latest} and {@link #isCompatible} always ask the registry. Caches
 * assume schemas are not deleted from the registry while this instance lives (the toolkit never
 * deletes; Confluent's own client makes the same assumption).
 *
 * <p><b>Threading:</b> thread-safe; share one instance per registry. Calls block the calling
 * thread on network I/O, including backoff waits between attempts. An interrupt while waiting
 * ends the call with a {@link SchemaRegistryException} and keeps the thread's interrupt flag set.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {

  /** The content type of the Confluent REST API, sent with every request body. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  // What Confluent's own client accepts, most specific first.
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
  private static final Set<Integer> NOT_FOUND_CODES = Set.of(40401, 40402, 40403);
  // ObjectMapper is thread-safe once configured; this one is never reconfigured.
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_IN_MESSAGE = 500;

  private final Options options;
  private final String baseUrl;
  private final HttpClient http;
  private final ConcurrentHashMap<Integer, CompletableFuture<Schema>> schemaById = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<SubjectSchema, RegisteredSchema> registrationBySubjectSchema =
      new ConcurrentHashMap<>();

  /**
   * Settings of an {@link HttpSchemaRegistry}. Immutable; start from {@link #of(String)} and use
   * the {@code with…} methods.
   *
   * @param baseUrl the API root, e.g. {@code https://registry:8081} (Confluent) or
   *     {@code http://host:8080/apis/ccompat/v7} (Apicurio); http or https, not null. A trailing
   *     {@code /} is ignored.
   * @param credentials how to authenticate, not null ({@link RegistryCredentials#none()} for none)
   * @param sslContext the TLS settings for https (trust store, client certificate), or null for
   *     the JVM's default
   * @param connectTimeout how long to wait for a TCP/TLS connection, positive, not null
   * @param requestTimeout how long to wait for one answer, positive, not null
   * @param retryPolicy when to repeat a failed request, not null
   */
  public record Options(
      URI baseUrl,
      RegistryCredentials credentials,
      SSLContext sslContext,
      Duration connectTimeout,
      Duration requestTimeout,
      RetryPolicy retryPolicy) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component other than {@code sslContext} is null
     * @throws IllegalArgumentException if the URL is not absolute http(s) or a timeout is not
     *     positive
     */
    public Options {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(credentials, "credentials");
      Objects.requireNonNull(retryPolicy, "retryPolicy");
      requirePositive(connectTimeout, "connectTimeout");
      requirePositive(requestTimeout, "requestTimeout");
      String scheme = baseUrl.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || baseUrl.getHost() == null) {
        throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL, was " + baseUrl);
      }
    }

    /**
     * Default settings for a registry: no credentials, the JVM's TLS defaults, 5 s to connect,
     * 10 s per request, {@link RetryPolicy#defaults()}.
     *
     * @param baseUrl the API root, see {@link #baseUrl()}; not null
     * @return the options, never null
     * @throws IllegalArgumentException if {@code baseUrl} is not an absolute http(s) URL
     */
    public static Options of(String baseUrl) {
      return new Options(
          URI.create(Objects.requireNonNull(baseUrl, "baseUrl")),
          RegistryCredentials.none(),
          null,
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          RetryPolicy.defaults());
    }

    /**
     * Returns a copy with other credentials.
     *
     * @param newCredentials not null
     * @return a copy, never null
     */
    public Options withCredentials(RegistryCredentials newCredentials) {
      return new Options(baseUrl, newCredentials, sslContext, connectTimeout, requestTimeout, retryPolicy);
    }

    /**
     * Returns a copy with other TLS settings.
     *
     * @param newSslContext the TLS settings, or null for the JVM's default
     * @return a copy, never null
     */
    public Options withSslContext(SSLContext newSslContext) {
      return new Options(baseUrl, credentials, newSslContext, connectTimeout, requestTimeout, retryPolicy);
    }

    /**
     * Returns a copy with another connect timeout.
     *
     * @param newConnectTimeout positive, not null
     * @return a copy, never null
     */
    public Options withConnectTimeout(Duration newConnectTimeout) {
      return new Options(baseUrl, credentials, sslContext, newConnectTimeout, requestTimeout, retryPolicy);
    }

    /**
     * Returns a copy with another request timeout.
     *
     * @param newRequestTimeout positive, not null
     * @return a copy, never null
     */
    public Options withRequestTimeout(Duration newRequestTimeout) {
      return new Options(baseUrl, credentials, sslContext, connectTimeout, newRequestTimeout, retryPolicy);
    }

    /**
     * Returns a copy with another retry policy.
     *
     * @param newRetryPolicy not null
     * @return a copy, never null
     */
    public Options withRetryPolicy(RetryPolicy newRetryPolicy) {
      return new Options(baseUrl, credentials, sslContext, connectTimeout, requestTimeout, newRetryPolicy);
    }

    private static void requirePositive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
    }
  }

  private HttpSchemaRegistry(Options options) {
    this.options = options;
    String url = options.baseUrl().toString();
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    HttpClient.Builder builder = HttpClient.newBuilder()
        // HTTP/1.1: registries are plain REST servers; HTTP/2 over cleartext would cost an
        // upgrade attempt on every new connection for nothing.
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(options.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    if (options.sslContext() != null) {
      builder.sslContext(options.sslContext());
    }
    this.http = builder.build();
  }

  /**
   * Creates a client. Nothing is sent until the first call.
   *
   * @param options the settings, not null
   * @return the client, never null
   */
  public static HttpSchemaRegistry create(Options options) {
    return new HttpSchemaRegistry(Objects.requireNonNull(options, "options"));
  }

  /**
   * Creates a client with {@link Options#of(String) default options}.
   *
   * @param baseUrl the API root, see {@link Options#baseUrl()}; not null
   * @return the client, never null
   */
  public static HttpSchemaRegistry create(String baseUrl) {
    return create(Options.of(baseUrl));
  }

  /**
   * Returns the settings this client was created with.
   *
   * @return the options, never null
   */
  public Options options() {
    return options;
  }

  @Override
  public int register(String subject, Schema schema) {
    requireSubject(subject);
    Objects.requireNonNull(schema, "schema");
    SubjectSchema key = new SubjectSchema(subject, schema.toString());
    Integer cached = idBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("POST", subjectPath(subject) + "/versions", schemaBody(schema));
    int id = requiredInt(answer, "id", "register");
    idBySubjectSchema.putIfAbsent(key, id);
    return id;
  }

  @Override
  public Schema getById(int id) {
    CompletableFuture<Schema> mine = new CompletableFuture<>();
    CompletableFuture<Schema> existing = schemaById.putIfAbsent(id, mine);
    if (existing == null) {
      try {
        mine.complete(fetchSchema(id));
      } catch (RuntimeException | Error e) {
        // Failures are not cached: the next call asks again. Waiting callers get this failure.
        schemaById.remove(id, mine);
        mine.completeExceptionally(e);
        throw e;
      }
      return mine.join();
    }
    try {
      return existing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while waiting for schema id " + id, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SchemaRegistryException sre) {
        throw sre;
      }
      throw new SchemaRegistryException("cannot fetch schema id " + id, e.getCause());
    }
  }

  private Schema fetchSchema(int id) {
    JsonNode answer;
    try {
      answer = send("GET", "/schemas/ids/" + id, null);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        throw new SchemaRegistryException("unknown schema id " + id, e, true,
            e.httpStatus().orElse(0), e.errorCode(), e.registryMessage().orElse(null));
      }
      throw e;
    }
    return parse(requiredText(answer, "schema", "get schema by id"), "schema id " + id);
  }

  @Override
  public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    SubjectSchema key = new SubjectSchema(subject, schema.toString());
    RegisteredSchema cached = registrationBySubjectSchema.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<RegisteredSchema> found =
        sendUnlessNotFound("POST", subjectPath(subject), schemaBody(schema)).map(this::registration);
    found.ifPresent(r -> {
      registrationBySubjectSchema.putIfAbsent(key, r);
      idBySubjectSchema.putIfAbsent(key, r.id());
    });
    return found;
  }

  @Override
  public Optional<RegisteredSchema> latest(String subject) {
    Objects.requireNonNull(subject, "subject");
    return sendUnlessNotFound("GET", subjectPath(subject) + "/versions/latest", null).map(this::registration);
  }

  @Override
  public Optional<RegisteredSchema> version(String subject, int version) {
    Objects.requireNonNull(subject, "subject");
    if (version < 1) {
      return Optional.empty();
    }
    return sendUnlessNotFound("GET", subjectPath(subject) + "/versions/" + version, null).map(this::registration);
  }

  @Override
  public List<String> subjects() {
    JsonNode answer = send("GET", "/subjects", null);
    List<String> subjects = new ArrayList<>();
    for (JsonNode n : requiredArray(answer, "list subjects")) {
      subjects.add(n.asText());
    }
    return List.copyOf(subjects);
  }

  @Override
  public List<Integer> versions(String subject) {
    Objects.requireNonNull(subject, "subject");
    Optional<JsonNode> answer = sendUnlessNotFound("GET", subjectPath(subject) + "/versions", null);
    if (answer.isEmpty()) {
      return List.of();
    }
    List<Integer> versions = new ArrayList<>();
    for (JsonNode n : requiredArray(answer.get(), "list versions")) {
      versions.add(n.asInt());
    }
    versions.sort(null);
    return List.copyOf(versions);
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    // Some registries (older Confluent versions) answer 404 for a subject without versions.
    // Nothing there means nothing to be incompatible with: registering would succeed.
    Optional<JsonNode> answer = sendUnlessNotFound(
        "POST", "/compatibility" + subjectPath(subject) + "/versions/latest", schemaBody(schema));
    if (answer.isEmpty()) {
      return true;
    }
    JsonNode flag = answer.get().get("is_compatible");
    if (flag == null || !flag.isBoolean()) {
      throw new SchemaRegistryException("compatibility check: answer has no boolean 'is_compatible': "
          + abbreviate(answer.get().toString()));
    }
    return flag.booleanValue();
  }

  @Override
  public String toString() {
    return "HttpSchemaRegistry[" + baseUrl + "]";
  }

  private RegisteredSchema registration(JsonNode answer) {
    String subject = requiredText(answer, "subject", "read registration");
    int id = requiredInt(answer, "id", "read registration");
    return new RegisteredSchema(
        subject,
        requiredInt(answer, "version", "read registration"),
        id,
        parse(requiredText(answer, "schema", "read registration"), "schema id " + id));
  }

  private Optional<JsonNode> sendUnlessNotFound(String method, String path, String body) {
    try {
      return Optional.of(send(method, path, body));
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Sends one request under the retry policy.
   *
   * @return the parsed body of a 2xx answer (a JSON null node for an empty body), never null
   */
  private JsonNode send(String method, String path, String body) {
    String what = method + " " + path;
    HttpRequest request = request(method, path, body);
    RetryPolicy retry = options.retryPolicy();
    for (int attempt = 1; ; attempt++) {
      boolean last = attempt >= retry.maxAttempts();
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        if (last) {
          throw new SchemaRegistryException("schema registry " + baseUrl + ": " + what + " failed after "
              + attempt + " attempt(s): " + e, e);
        }
        backOff(retry, attempt, what);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException("interrupted during " + what, e);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return parseJson(response.body(), what);
      }
      if (status >= 500 && !last) {
        backOff(retry, attempt, what);
        continue;
      }
      throw errorFrom(status, response.body(), what, attempt);
    }
  }

  private HttpRequest request(String method, String path, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(options.requestTimeout())
        .header("Accept", ACCEPT);
    options.credentials().authorizationHeader().ifPresent(h -> builder.header("Authorization", h));
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  private static void backOff(RetryPolicy retry, int attempt, String what) {
    Duration wait = retry.backoffBefore(attempt);
    if (wait.isZero()) {
      return;
    }
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while waiting to retry " + what, e);
    }
  }

  private SchemaRegistryException errorFrom(int status, String body, String what, int attempts) {
    OptionalInt errorCode = OptionalInt.empty();
    String registryMessage = null;
    try {
      JsonNode error = JSON.readTree(body == null ? "" : body);
      if (error != null && error.isObject()) {
        JsonNode code = error.get("error_code");
        if (code != null && code.canConvertToInt()) {
          errorCode = OptionalInt.of(code.intValue());
        }
        JsonNode message = error.get("message");
        if (message != null && !message.isNull()) {
          registryMessage = message.asText();
        }
      }
    } catch (JsonProcessingException notJson) {
      // An HTML error page from a proxy, say: keep the raw text as the message.
    }
    if (registryMessage == null && body != null && !body.isBlank()) {
      registryMessage = abbreviate(body.strip());
    }
    boolean notFound = status == 404 && errorCode.isPresent() && NOT_FOUND_CODES.contains(errorCode.getAsInt());
    StringBuilder message = new StringBuilder("schema registry ").append(baseUrl).append(": ")
        .append(what).append(" answered HTTP ").append(status);
    errorCode.ifPresent(c -> message.append(" (error code ").append(c).append(')'));
    if (attempts > 1) {
      message.append(" after ").append(attempts).append(" attempts");
    }
    if (registryMessage != null) {
      message.append(": ").append(registryMessage);
    }
    return new SchemaRegistryException(message.toString(), null, notFound, status, errorCode, registryMessage);
  }

  private static JsonNode parseJson(String body, String what) {
    if (body == null || body.isBlank()) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new SchemaRegistryException(what + ": answer is not JSON: " + abbreviate(body), e);
    }
  }

  private String subjectPath(String subject) {
    return "/subjects/" + encodePathSegment(subject);
  }

  // URLEncoder encodes for forms (space as '+'); in a path '+' is a literal plus sign.
  private static String encodePathSegment(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String schemaBody(Schema schema) {
    ObjectNode body = JSON.createObjectNode();
    // schemaType is left out: AVRO is the default of every Confluent-compatible registry, and
    // some older ones reject the field.
    body.put("schema", schema.toString());
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON string", e);
    }
  }

  private static Schema parse(String text, String what) {
    try {
      // A fresh parser per schema: Schema.Parser remembers names and is not thread-safe.
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException("registry returned an unparsable Avro schema for " + what
          + ": " + e.getMessage(), e);
    }
  }

  private static int requiredInt(JsonNode node, String field, String what) {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw new SchemaRegistryException(what + ": answer has no integer '" + field + "': "
          + abbreviate(String.valueOf(node)));
    }
    return value.intValue();
  }

  private static String requiredText(JsonNode node, String field, String what) {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || !value.isTextual()) {
      throw new SchemaRegistryException(what + ": answer has no string '" + field + "': "
          + abbreviate(String.valueOf(node)));
    }
    return value.textValue();
  }

  private static JsonNode requiredArray(JsonNode node, String what) {
    if (node == null || !node.isArray()) {
      throw new SchemaRegistryException(what + ": answer is not a JSON array: " + abbreviate(String.valueOf(node)));
    }
    return node;
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
  }

  private static void requireSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (subject.isBlank()) {
      throw new IllegalArgumentException("subject must not be blank");
    }
  }

  /** Cache key: a subject and a schema's full JSON rendering (the registry's notion of identity). */
  private record SubjectSchema(String subject, String schema) {
  }
}
