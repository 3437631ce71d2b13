package io.eskafka.runtime;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.TopicMismatchException;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.HttpSchemaRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A {@link Deployment} running: one {@link AggregateApp} and one {@link CommandGateway} per
 * aggregate, Micrometer metrics (Kafka Streams metrics bound), and the {@link HttpApi}. What
 * {@code eskafka run} starts; start more instances with the same settings to share the partitions.
 *
 * <p>Thread-safe; {@link #close()} is idempotent and is what the shutdown hook calls: the HTTP
 * server stops taking requests, then every Streams instance closes (its open transaction committed
 * or aborted, never half-applied) and leaves the group so the others take over at once.
 */
public final class AppRuntime implements AutoCloseable {

  /**
   * One running aggregate.
   *
   * @param definition the aggregate
   * @param app its Kafka Streams application
   * @param gateway the gateway the HTTP API sends commands through
   * @param json its commands' JSON form
   */
  public record RunningAggregate(AggregateDefinition<?> definition, AggregateApp<?> app,
      CommandGateway gateway, CommandJson json) {}

  private final Deployment deployment;
  private final Settings settings;
  // Read by HTTP handlers while start-up fills it (the HTTP API starts first).
  private final Map<String, RunningAggregate> aggregates = new ConcurrentHashMap<>();
  private final List<KafkaStreamsMetrics> streamsMetrics = new ArrayList<>();
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile HttpApi http;
  private volatile boolean closed;

  private AppRuntime(Deployment deployment, Settings settings) {
    this.deployment = deployment;
    this.settings = settings;
  }

  /**
   * Starts a deployment: checks Kafka and the registry, applies (or checks) the topics, starts
   * every aggregate and waits until all are RUNNING, then serves HTTP on {@link Settings#httpPort()}.
   *
   * @param deployment what to run
   * @param settings how
   * @param progress receives one line per step (e.g. to print), not {@code null}
   * @return the running runtime; close it to stop
   * @throws StartupException naming the cause when any step fails (what was started is stopped)
   */
  public static AppRuntime start(Deployment deployment, Settings settings, Consumer<String> progress) {
    AppRuntime runtime = new AppRuntime(deployment, settings);
    try {
      runtime.startAll(progress);
      return runtime;
    } catch (RuntimeException | Error e) {
      runtime.close();
      throw e;
    }
  }

  private void startAll(Consumer<String> progress) {
    int brokers = StartupChecks.kafka(settings);
    progress.accept(String.format("%-10s: %s (%d broker%s)", "kafka", settings.bootstrapServers(),
        brokers, brokers == 1 ? "" : "s"));
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(settings.registryOptions()
        .withConnectTimeout(min(settings.startupTimeout(), Duration.ofSeconds(5))));
    StartupChecks.registry(registry, settings.registryUrl());
    progress.accept(String.format("%-10s: %s", "registry", settings.registryUrl()));
    AvroSerde serde = AvroSerde.builder(registry)
        .autoRegister(settings.registryAutoRegister()).build();

    try (TopicApplier topics = new TopicApplier(settings.adminConfig())) {
      for (AggregateDefinition<?> aggregate : deployment.aggregates()) {
        if (settings.applyTopics()) {
          TopicApplier.Result result = topics.apply(aggregate.topics().specs(
              settings.topicPartitions(), settings.topicReplicationFactor()));
          progress.accept(String.format("%-10s: %s.* created %s, existing %s", "topics",
              aggregate.name(), result.created().size(), result.existing().size()));
        }
      }
    } catch (TopicMismatchException e) {
      throw new StartupException("topics do not match: " + e.getMessage()
          + " (fix the topics or the topics.* settings)", e);
    } catch (KafkaException e) {
      throw new StartupException("cannot create or check topics at " + settings.bootstrapServers()
          + ": " + e.getMessage(), e);
    }

    // HTTP first: its bound port is the application.server every Streams instance advertises, so
    // that the others can forward stream queries here.
    http = HttpApi.start(this, settings.httpPort());
    for (AggregateDefinition<?> aggregate : deployment.aggregates()) {
      AggregateApp<?> app = create(aggregate, serde);
      // Registered before start, so close() stops it whatever happens next.
      aggregates.put(aggregate.name(), new RunningAggregate(aggregate, app, null, null));
      try {
        app.start();
      } catch (IllegalStateException e) {
        throw new StartupException(aggregate.name() + ": " + e.getMessage(), e);
      }
      KafkaStreamsMetrics bound = new KafkaStreamsMetrics(app.kafkaStreams(),
          Tags.of("aggregate", aggregate.name()));
      bound.bindTo(metrics);
      streamsMetrics.add(bound);
    }
    long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
    for (AggregateDefinition<?> aggregate : deployment.aggregates()) {
      RunningAggregate running = aggregates.get(aggregate.name());
      try {
        running.app().awaitRunning(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      } catch (TimeoutException | IllegalStateException e) {
        throw new StartupException(running.definition().name() + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StartupException("interrupted while starting", e);
      }
      CommandGateway gateway = CommandGateway.connect(running.definition().topics(), serde,
          settings.gatewayOptions());
      aggregates.put(running.definition().name(), new RunningAggregate(running.definition(),
          running.app(), gateway, new CommandJson(running.definition())));
      progress.accept(String.format("%-10s: %s RUNNING (application id %s, %d thread%s)",
          "aggregate", running.definition().name(),
          settings.appOptions(deployment.name(), running.definition().name()).applicationId(),
          settings.threads(), settings.threads() == 1 ? "" : "s"));
    }
    bindJvmMetrics();
    progress.accept(String.format("%-10s: http://localhost:%d (advertised to the other instances "
        + "as %s; POST /aggregates/{aggregate}/streams/{id}/commands, GET /aggregates/{aggregate}/"
        + "streams/{id}[/events|/trace], /health/live, /health/ready, /metrics)", "http",
        http.port(), http.advertisedAddress()));
  }

  private <S extends SpecificRecord> AggregateApp<S> create(AggregateDefinition<S> aggregate,
      AvroSerde serde) {
    return AggregateApp.create(aggregate, serde,
        settings.appOptions(deployment.name(), aggregate.name())
            .withApplicationServer(http.advertisedAddress()));
  }

  private void bindJvmMetrics() {
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(metrics);
    binders.add(gc);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Sends a command through the aggregate's gateway, counting its outcome in the metrics
   * ({@code eskafka_commands_total{aggregate,status}}, {@code eskafka_command_duration_seconds}).
   *
   * @param aggregate a running aggregate
   * @param request the command
   * @return its result; fails with {@link io.eskafka.client.CommandTimeoutException} when none
   *     arrives within the command timeout
   */
  public CompletableFuture<CommandResult> send(RunningAggregate aggregate, CommandRequest request) {
    Timer.Sample sample = Timer.start(metrics);
    String name = aggregate.definition().name();
    return aggregate.gateway().send(request).whenComplete((result, error) -> {
      String status = error != null ? "ERROR" : result.status().name();
      sample.stop(metrics.timer("eskafka.command.duration", "aggregate", name, "status", status));
      Counter.builder("eskafka.commands").tag("aggregate", name).tag("status", status)
          .register(metrics).increment();
    });
  }

  /**
   * The running aggregate of the given name.
   *
   * @param name an aggregate name
   * @return it
   * @throws UnknownNameException listing the deployment's aggregates when there is none of that name
   * @throws NotRunningException when the aggregate is still starting, or the runtime is closed
   */
  public RunningAggregate aggregate(String name) {
    if (!deployment.aggregateNames().contains(name)) {
      throw new UnknownNameException("aggregate", name, deployment.aggregateNames());
    }
    RunningAggregate running = aggregates.get(name);
    if (closed || running == null || running.gateway() == null) {
      throw new NotRunningException("aggregate " + name + " is not running ("
          + (closed ? "stopped" : "starting") + ")");
    }
    return running;
  }

  /**
   * The Kafka Streams state of each aggregate.
   *
   * @return aggregate name to state, in deployment order
   */
  public Map<String, KafkaStreams.State> states() {
    Map<String, KafkaStreams.State> states = new LinkedHashMap<>();
    for (String name : deployment.aggregateNames()) {
      RunningAggregate running = aggregates.get(name);
      states.put(name, running == null ? KafkaStreams.State.CREATED : running.app().state());
    }
    return states;
  }

  /**
   * Whether every aggregate is RUNNING (the readiness probe).
   *
   * @return true when all are
   */
  public boolean ready() {
    return !closed && states().values().stream().allMatch(s -> s == KafkaStreams.State.RUNNING);
  }

  /**
   * Whether no aggregate has failed for good (the liveness probe).
   *
   * @return false once any Streams instance is in ERROR, PENDING_ERROR or NOT_RUNNING
   */
  public boolean live() {
    return !closed && states().values().stream().noneMatch(s -> s == KafkaStreams.State.ERROR
        || s == KafkaStreams.State.PENDING_ERROR || s == KafkaStreams.State.NOT_RUNNING);
  }

  /**
   * The metrics registry (Prometheus format via {@link PrometheusMeterRegistry#scrape()}).
   *
   * @return the registry
   */
  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /**
   * The deployment.
   *
   * @return what runs
   */
  public Deployment deployment() {
    return deployment;
  }

  /**
   * The settings.
   *
   * @return how it runs
   */
  public Settings settings() {
    return settings;
  }

  /**
   * The address this instance advertises to the others ({@code http.advertised.host} and the HTTP
   * port): the {@code application.server} of its Streams instances, where stream queries for the
   * streams it owns are forwarded.
   *
   * @return {@code host:port}
   * @throws IllegalStateException before the HTTP API started
   */
  public String advertisedAddress() {
    HttpApi api = http;
    if (api == null) {
      throw new IllegalStateException("HTTP API not started");
    }
    return api.advertisedAddress();
  }

  /**
   * The port the HTTP API listens on.
   *
   * @return the port
   * @throws IllegalStateException before the HTTP API started
   */
  public int httpPort() {
    HttpApi api = http;
    if (api == null) {
      throw new IllegalStateException("HTTP API not started");
    }
    return api.port();
  }

  /**
   * Stops HTTP, the gateways and the Streams instances (see the class description). Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (http != null) {
      http.close();
    }
    for (RunningAggregate running : aggregates.values()) {
      if (running.gateway() != null) {
        running.gateway().close();
      }
    }
    streamsMetrics.forEach(KafkaStreamsMetrics::close);
    for (RunningAggregate running : aggregates.values()) {
      running.app().close();
    }
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception e) {
        // metrics only; shutting down anyway
      }
    }
    metrics.close();
  }
}
