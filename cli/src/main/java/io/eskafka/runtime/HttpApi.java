package io.eskafka.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandTimeoutException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
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
 *   <li>{@code GET /aggregates/{aggregate}/streams/{streamId}} → the current state (200), 404 when
 *       the stream has no events, 503 when this instance does not serve the stream's partition
 *   <li>{@code GET /health/live}, {@code GET /health/ready} (every aggregate RUNNING) → 200 or 503
 *   <li>{@code GET /metrics} → Prometheus text format
 * </ul>
 *
 * <p>Every error body is {@code {"error": "..."}} (plus {@code field} and {@code problem} for bad
 * JSON). Handlers run on Jetty's thread pool and block on the command's result. Thread-safe.
 */
public final class HttpApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final AppRuntime runtime;
  private final Javalin server;

  private HttpApi(AppRuntime runtime, int port) {
    this.runtime = runtime;
    this.server = Javalin.create(config -> config.showJavalinBanner = false);
    routes();
    server.start(port);
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
    server.get("/health/live", ctx -> health(ctx, runtime.live()));
    server.get("/health/ready", ctx -> health(ctx, runtime.ready()));
    server.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(runtime.metrics().scrape()));

    server.exception(UnknownNameException.class,
        (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage()));
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

  private void getState(Context ctx) {
    AppRuntime.RunningAggregate aggregate = runtime.aggregate(ctx.pathParam("aggregate"));
    String streamId = ctx.pathParam("streamId");
    try {
      var state = aggregate.currentState(streamId);
      if (state.isEmpty()) {
        error(ctx, HttpStatus.NOT_FOUND, "stream " + streamId + " of "
            + aggregate.definition().name() + " has no events");
        return;
      }
      json(ctx, HttpStatus.OK, CommandJson.stateJson(state.get()));
    } catch (IllegalStateException e) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    } catch (InvalidStateStoreException e) {
      // AggregateApp.currentState lets this escape from the store read itself (not only from
      // finding the store) when the partition is not local; same meaning as above.
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "stream " + streamId + " is not served by this "
          + "instance right now (owned by another instance, or rebalancing/restoring): "
          + e.getMessage());
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
    ObjectNode body = MAPPER.createObjectNode();
    body.put("error", message);
    json(ctx, status, body);
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
    server.stop();
  }
}
