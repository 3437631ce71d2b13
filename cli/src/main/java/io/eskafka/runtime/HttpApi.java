package io.eskafka.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandTimeoutException;
import io.eskafka.client.StoredEvent;
import io.eskafka.client.StreamOwner;
import io.eskafka.client.StreamState;
import io.eskafka.client.StreamTrace;
import io.eskafka.kafka.StreamNotLocalException;
import io.eskafka.kafka.StreamQueries;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of a running deployment (Javalin on Jetty). Routes:
 *
 * <ul>
 *   <li>{@code POST /aggregates/{aggregate}/streams/{streamId}/commands} with a command envelope
 *       (see {@link CommandJson}) → the result: 201 accepted (the command started the stream), 200
 *       accepted (or a duplicate), 422 rejected, 409 conflict, 500 failed (dead-lettered), 400 bad
 *       JSON naming the field and reason, 404 unknown aggregate or command type, 503 no result in
 *       time or the aggregate not running
 *   <li>{@code GET /aggregates/{aggregate}/streams/{streamId}} → the current state (200); with
 *       {@code ?version=N} or {@code ?at=<ISO-8601 instant>} the state then; 404 when the stream
 *       (or that version) has no events, 410 when it was deleted
 *   <li>{@code GET /aggregates/{aggregate}/streams/{streamId}/events?from=&to=} → its events
 *   <li>{@code GET /aggregates/{aggregate}/streams/{streamId}/trace} → events with the state after
 *       each, plus the rendered text
 *   <li>{@code GET /health/live}, {@code GET /health/ready} (every aggregate RUNNING) → 200 or 503
 *   <li>{@code GET /metrics} → Prometheus text format
 * </ul>
 *
 * <p><b>Stream queries are routed.</b> Any instance answers a stream query: from its own stores
 * when it serves the stream's partition, else by forwarding the request (once, marked with {@link
 * #FORWARDED_BY}) to the owner Kafka Streams names ({@code application.server}) and relaying its
 * answer unchanged. {@link #SERVED_BY} names the instance whose stores answered. The stream reads
 * take {@code ?minVersion=V} (read-your-writes: wait, at most {@code query.timeout.ms}, until the
 * stream is at version V or later). 503 with a {@code reason} when no instance can answer now
 * ({@code OWNER_UNKNOWN}, {@code NOT_READY}, {@code OWNER_UNREACHABLE}, {@code LOOP_GUARD}, and
 * {@code NOT_RUNNING} while the runtime starts: this API is up before the aggregates); 504
 * when the answer did not come in time ({@code MIN_VERSION_TIMEOUT}, {@code OWNER_TIMEOUT}); 400
 * naming the parameter for a bad or unknown query parameter.
 *
 * <p>Every error body is {@code {"error": "..."}} (plus {@code field} and {@code problem} for bad
 * JSON, {@code param} and {@code problem} for a bad query parameter, {@code reason}, {@code
 * partition}, {@code owner} for an unavailable stream). Handlers run on Jetty's thread pool and
 * block on the command's result or the owner's answer. Thread-safe.
 */
public final class HttpApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** Request header naming the instance that forwarded a stream query: never forwarded again. */
  public static final String FORWARDED_BY = "Eskafka-Forwarded-By";
  /** Response header naming the instance ({@code host:port}) whose stores answered a query. */
  public static final String SERVED_BY = "Eskafka-Served-By";
  private static final Duration FORWARD_MARGIN = Duration.ofSeconds(5);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final AppRuntime runtime;
  private final Javalin server;
  private final HttpClient forwarder;
  private volatile String advertised;

  private HttpApi(AppRuntime runtime, int port) {
    this.runtime = runtime;
    this.server = Javalin.create(config -> config.showJavalinBanner = false);
    this.forwarder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    routes();
    server.start(port);
    this.advertised = runtime.settings().httpAdvertisedHost() + ":" + server.port();
  }

  /**
   * Starts serving.
   *
   * @param runtime the running deployment
   * @param port the port, 0 for any free one
   * @return the running server
   * @throws StartupException when the port cannot be bound
   */
  static HttpApi start(AppRuntime runtime, int port) {
    try {
      return new HttpApi(runtime, port);
    } catch (RuntimeException e) {
      throw new StartupException("cannot serve HTTP on port " + port + ": " + rootMessage(e), e);
    }
  }

  // One line per route, so the lead can add GET .../events and the projection routes beside them.
  private void routes() {
    server.post("/aggregates/{aggregate}/streams/{streamId}/commands", this::postCommand);
    server.get("/aggregates/{aggregate}/streams/{streamId}", this::getState);
    server.get("/aggregates/{aggregate}/streams/{streamId}/events", this::getEvents);
    server.get("/aggregates/{aggregate}/streams/{streamId}/trace", this::getTrace);
    server.get("/health/live", ctx -> health(ctx, runtime.live()));
    server.get("/health/ready", ctx -> health(ctx, runtime.ready()));
    server.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(runtime.metrics().scrape()));

    server.exception(UnknownNameException.class,
        (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage()));
    server.exception(NotRunningException.class,
        (e, ctx) -> unavailable(ctx, HttpStatus.SERVICE_UNAVAILABLE, "NOT_RUNNING",
            e.getMessage(), null));
    server.exception(BadParameterException.class, (e, ctx) -> {
      ObjectNode body = errorJson(e.getMessage());
      body.put("param", e.param());
      body.put("problem", e.problem());
      json(ctx, HttpStatus.BAD_REQUEST, body);
    });
    server.exception(JsonFieldException.class, (e, ctx) -> {
      ObjectNode body = MAPPER.createObjectNode();
      body.put("error", e.getMessage());
      body.put("field", e.field());
      body.put("problem", e.problem());
      json(ctx, HttpStatus.BAD_REQUEST, body);
    });
    server.exception(Exception.class, (e, ctx) -> {
      log.error("{} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, e.toString());
    });
  }

  private void postCommand(Context ctx) throws InterruptedException {
    AppRuntime.RunningAggregate aggregate = runtime.aggregate(ctx.pathParam("aggregate"));
    CommandRequest request = aggregate.json().request(ctx.pathParam("streamId"),
        CommandJson.parse(ctx.body()));
    KafkaStreams.State state = aggregate.app().state();
    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "aggregate " + aggregate.definition().name()
          + " is not running (state " + state + ")");
      return;
    }
    CommandResult result;
    try {
      // The gateway's own timeout fires first; the margin only guards against it not firing.
      result = runtime.send(aggregate, request).get(
          runtime.settings().commandTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CommandTimeoutException timeout) {
        error(ctx, HttpStatus.SERVICE_UNAVAILABLE, timeout.getMessage());
        return;
      }
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "command " + request.commandId()
          + " not sent: " + e.getCause());
      return;
    } catch (TimeoutException e) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "no result for command " + request.commandId()
          + " within " + runtime.settings().commandTimeout());
      return;
    }
    json(ctx, statusOf(result), CommandJson.resultJson(result));
  }

  /**
   * The HTTP status of a command's outcome.
   *
   * @param result the result
   * @return 201 for an accepted command that started its stream, 200 for other accepted ones and
   *     duplicates of them, 422 rejected, 409 conflict, 500 failed
   */
  static HttpStatus statusOf(CommandResult result) {
    return switch (result.status()) {
      case ACCEPTED -> !result.duplicate() && result.version() == result.events().size()
          ? HttpStatus.CREATED : HttpStatus.OK;
      case REJECTED -> HttpStatus.UNPROCESSABLE_CONTENT;
      case CONFLICT -> HttpStatus.CONFLICT;
      case FAILED -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }

  private void getState(Context ctx) throws InterruptedException {
    QueryParams params = new QueryParams(ctx, "version", "at", "minVersion");
    Long version = params.longValue("version", 1);
    Instant at = params.instant("at");
    if (version != null && at != null) {
      throw new BadParameterException("at", "give either version or at, not both");
    }
    streamQuery(ctx, params.longValue("minVersion", 0), (queries, name, streamId) -> {
      Optional<? extends StreamState<? extends SpecificRecord>> state = version != null
          ? queries.stateAt(streamId, version)
          : at != null ? queries.stateAt(streamId, at) : queries.currentState(streamId);
      if (state.isPresent()) {
        return new Answer(HttpStatus.OK, CommandJson.stateJson(state.get()));
      }
      long head = queries.version(streamId);
      if (head == 0) {
        return noEvents(queries, name, streamId);
      }
      return new Answer(HttpStatus.NOT_FOUND, errorJson(version != null
          ? "stream " + streamId + " of " + name + " has no version " + version
              + " (it is at version " + head + ")"
          : "stream " + streamId + " of " + name + " had no events yet at " + at));
    });
  }

  private void getEvents(Context ctx) throws InterruptedException {
    QueryParams params = new QueryParams(ctx, "from", "to", "minVersion");
    Long from = params.longValue("from", 1);
    Long to = params.longValue("to", 1);
    if (from != null && to != null && to < from) {
      throw new BadParameterException("to", "must be >= from (" + from + "), got " + to);
    }
    streamQuery(ctx, params.longValue("minVersion", 0), (queries, name, streamId) -> {
      List<StoredEvent> events = queries.events(streamId, from == null ? 1 : from,
          to == null ? Long.MAX_VALUE : to);
      if (events.isEmpty() && queries.version(streamId) == 0) {
        return noEvents(queries, name, streamId);
      }
      return new Answer(HttpStatus.OK, CommandJson.eventsJson(streamId, events));
    });
  }

  private void getTrace(Context ctx) throws InterruptedException {
    QueryParams params = new QueryParams(ctx, "minVersion");
    streamQuery(ctx, params.longValue("minVersion", 0), (queries, name, streamId) -> {
      StreamTrace<? extends SpecificRecord> trace = queries.trace(streamId);
      return trace.steps().isEmpty() ? noEvents(queries, name, streamId)
          : new Answer(HttpStatus.OK, CommandJson.traceJson(trace));
    });
  }

  /** A stream without events: never written (404) or deleted (410). */
  private static Answer noEvents(StreamQueries<?> queries, String aggregate, String streamId) {
    Optional<Instant> deleted = queries.deletedAt(streamId);
    return deleted.map(at -> new Answer(HttpStatus.GONE, errorJson("stream " + streamId + " of "
            + aggregate + " was deleted at " + at)))
        .orElseGet(() -> new Answer(HttpStatus.NOT_FOUND, errorJson("stream " + streamId + " of "
            + aggregate + " has no events")));
  }

  /** What a stream query answers from this instance's stores. */
  private record Answer(HttpStatus status, ObjectNode body) {}

  /** One stream query against local stores; throws StreamNotLocalException to be routed. */
  @FunctionalInterface
  private interface LocalQuery {
    Answer answer(StreamQueries<? extends SpecificRecord> queries, String aggregate,
        String streamId);
  }

  /**
   * Answers a stream query here when this instance serves the stream, else forwards it to the
   * owner (once: a forwarded request is never forwarded again) and relays the owner's answer.
   * With {@code minVersion}, first waits (at most {@code query.timeout.ms}) for the stream to
   * reach it.
   */
  private void streamQuery(Context ctx, Long minVersion, LocalQuery query)
      throws InterruptedException {
    AppRuntime.RunningAggregate aggregate = runtime.aggregate(ctx.pathParam("aggregate"));
    String name = aggregate.definition().name();
    String streamId = ctx.pathParam("streamId");
    StreamQueries<? extends SpecificRecord> queries = aggregate.app().queries();
    try {
      if (minVersion != null) {
        queries.awaitVersion(streamId, minVersion, runtime.settings().queryTimeout());
      }
      Answer answer = query.answer(queries, name, streamId);
      ctx.header(SERVED_BY, advertised);
      json(ctx, answer.status(), answer.body());
    } catch (StreamNotLocalException e) {
      route(ctx, streamId, e.owner());
    } catch (TimeoutException e) {
      unavailable(ctx, HttpStatus.GATEWAY_TIMEOUT, "MIN_VERSION_TIMEOUT", e.getMessage(), null);
    } catch (IllegalStateException e) {
      // Not started yet, or a snapshot waiting to be rebuilt whose events are not indexed yet.
      unavailable(ctx, HttpStatus.SERVICE_UNAVAILABLE, "NOT_READY", e.getMessage(), null);
    }
  }

  private void route(Context ctx, String streamId, StreamOwner owner)
      throws InterruptedException {
    String where = "stream " + streamId + " (partition " + owner.partition() + ")";
    if (owner.host() == null) {
      unavailable(ctx, HttpStatus.SERVICE_UNAVAILABLE, "OWNER_UNKNOWN", where + " has no known "
          + "owner right now (the instances are rebalancing or restoring); retry", owner);
    } else if (owner.local() || owner.host().equals(advertised)) {
      unavailable(ctx, HttpStatus.SERVICE_UNAVAILABLE, "NOT_READY", where + " is assigned to "
          + "this instance, whose stores are not queryable yet (restoring or rebalancing); retry",
          owner);
    } else if (ctx.header(FORWARDED_BY) != null) {
      unavailable(ctx, HttpStatus.SERVICE_UNAVAILABLE, "LOOP_GUARD", where + " is not served by "
          + advertised + " (owner now: " + owner.host() + "), and this request was already "
          + "forwarded by " + ctx.header(FORWARDED_BY) + "; a request is forwarded once only "
          + "(the owners' views differ while they rebalance); retry", owner);
    } else {
      forward(ctx, where, owner);
    }
  }

  private void forward(Context ctx, String where, StreamOwner owner) throws InterruptedException {
    String query = ctx.queryString();
    URI target = URI.create("http://" + owner.host() + ctx.req().getRequestURI()
        + (query == null || query.isEmpty() ? "" : "?" + query));
    HttpRequest request = HttpRequest.newBuilder(target).GET()
        .header(FORWARDED_BY, advertised)
        .header("Accept", "application/json")
        // The owner may itself wait up to query.timeout.ms (minVersion); its answer must get back.
        .timeout(runtime.settings().queryTimeout().plus(FORWARD_MARGIN))
        .build();
    HttpResponse<String> response;
    try {
      response = forwarder.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      unavailable(ctx, HttpStatus.SERVICE_UNAVAILABLE, "OWNER_UNREACHABLE", where + " is owned "
          + "by " + owner.host() + ", which does not accept connections (" + e + "); retry once "
          + "the instances have rebalanced", owner);
      return;
    } catch (HttpTimeoutException e) {
      unavailable(ctx, HttpStatus.GATEWAY_TIMEOUT, "OWNER_TIMEOUT", where + " is owned by "
          + owner.host() + ", which did not answer within " + request.timeout().orElseThrow(),
          owner);
      return;
    } catch (IOException e) {
      unavailable(ctx, HttpStatus.SERVICE_UNAVAILABLE, "OWNER_UNREACHABLE", where + " is owned "
          + "by " + owner.host() + ", which could not be asked: " + rootMessage(e), owner);
      return;
    }
    ctx.status(response.statusCode())
        .contentType(response.headers().firstValue("Content-Type").orElse("application/json"))
        .result(response.body());
    response.headers().firstValue(SERVED_BY).ifPresent(host -> ctx.header(SERVED_BY, host));
  }

  private static void unavailable(Context ctx, HttpStatus status, String reason, String message,
      StreamOwner owner) {
    ObjectNode body = errorJson(message);
    body.put("reason", reason);
    if (owner != null) {
      body.put("partition", owner.partition());
      body.put("owner", owner.host());
    }
    json(ctx, status, body);
  }

  /**
   * The query parameters of one request: only the named ones are accepted, each at most once.
   */
  private static final class QueryParams {
    private final Context ctx;

    QueryParams(Context ctx, String... accepted) {
      this.ctx = ctx;
      List<String> known = List.of(accepted);
      for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
        if (!known.contains(param.getKey())) {
          throw new BadParameterException(param.getKey(), "unknown parameter; this route takes "
              + (known.isEmpty() ? "none" : String.join(", ", known)));
        }
        if (param.getValue().size() > 1) {
          throw new BadParameterException(param.getKey(), "given " + param.getValue().size()
              + " times; give it once");
        }
      }
    }

    Long longValue(String name, long min) {
      String text = ctx.queryParam(name);
      if (text == null) {
        return null;
      }
      try {
        long value = Long.parseLong(text.trim());
        if (value >= min) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new BadParameterException(name, "expected an integer >= " + min + ", got '" + text
          + "'");
    }

    Instant instant(String name) {
      String text = ctx.queryParam(name);
      if (text == null) {
        return null;
      }
      try {
        return Instant.parse(text.trim());
      } catch (DateTimeParseException e) {
        throw new BadParameterException(name, "expected an ISO-8601 instant such as "
            + "2026-11-26T09:45:52Z, got '" + text + "'");
      }
    }
  }

  private void health(Context ctx, boolean up) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("status", up ? "UP" : "DOWN");
    ObjectNode aggregates = body.putObject("aggregates");
    for (Map.Entry<String, KafkaStreams.State> entry : runtime.states().entrySet()) {
      aggregates.put(entry.getKey(), entry.getValue().name());
    }
    json(ctx, up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, body);
  }

  private static void error(Context ctx, HttpStatus status, String message) {
    json(ctx, status, errorJson(message));
  }

  private static ObjectNode errorJson(String message) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("error", message);
    return body;
  }

  private static void json(Context ctx, HttpStatus status, ObjectNode body) {
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  /**
   * The address other instances reach this one at: {@code http.advertised.host} and the bound
   * port; the Kafka Streams {@code application.server} of every aggregate of this runtime.
   *
   * @return {@code host:port}
   */
  public String advertisedAddress() {
    return advertised;
  }

  /**
   * The port it listens on.
   *
   * @return the bound port
   */
  public int port() {
    return server.port();
  }

  /** Stops serving; requests in progress finish first. */
  @Override
  public void close() {
    server.stop(); // the forwarding client has no close before Java 21; its threads are daemons
  }
}
