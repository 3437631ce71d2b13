package io.eskafka.runtime;

import io.eskafka.client.GatewayOptions;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.serde.HttpSchemaRegistry;
import io.eskafka.kafka.serde.RegistryCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The settings of the {@code eskafka} command line and of {@link AppRuntime}, typed. Built by
 * {@link SettingsLoader} from a properties file, {@code ESKAFKA_*} environment variables and
 * command-line flags; the keys are listed in {@link SettingsLoader#KEYS}. Immutable.
 *
 * @param bootstrapServers Kafka bootstrap servers ({@code bootstrap.servers})
 * @param registryUrl base URL of a Confluent-compatible schema registry ({@code registry.url})
 * @param registryUsername HTTP basic user of the registry, or {@code null} for none
 * @param registryPassword its password, or {@code null}
 * @param registryAutoRegister whether a running app registers the schemas it writes
 *     ({@code registry.auto.register}, default true); false in production, where {@code eskafka
 *     schemas register} did it ahead of deployment and the app only looks schemas up
 * @param applicationId Kafka Streams application id prefix, or {@code null} for the deployment's
 *     name; each aggregate runs as {@code <applicationId>.<aggregate>}
 * @param stateDir RocksDB state directory, or {@code null} for a temporary one per run (state is
 *     then restored from the changelogs at every start)
 * @param threads stream threads per aggregate, ≥ 1
 * @param httpPort port of the HTTP API of {@code run}, 0 for any free port
 * @param httpAdvertisedHost host name or address other instances reach this one's HTTP API at
 *     ({@code http.advertised.host}, default {@code 127.0.0.1}); with the bound HTTP port it is
 *     the instance's Kafka Streams {@code application.server}, where stream queries are forwarded
 * @param httpUrl base URL of a running app's HTTP API, for commands that talk to one ({@code
 *     http.url}, default {@code http://127.0.0.1:8080}; {@code eskafka stream read})
 * @param queryTimeout how long a stream query may take end to end ({@code query.timeout.ms}):
 *     the bound of a {@code minVersion} wait, and (plus a margin) of a forwarded request
 * @param commandTimeout how long {@code send} and the HTTP API wait for a command's result
 * @param startupTimeout how long start-up waits for Kafka, the registry and RUNNING
 * @param topicPartitions partitions of topics created by {@code topics apply} and {@code run}
 * @param topicReplicationFactor their replication factor
 * @param applyTopics whether {@code run} creates missing topics (and always checks existing ones)
 * @param kafka raw Kafka client settings (keys without the {@code kafka.} prefix), passed untouched
 *     to every Kafka client: the escape hatch for SASL/SSL and tuning; never {@code null}
 */
public record Settings(
    String bootstrapServers,
    String registryUrl,
    String registryUsername,
    String registryPassword,
    boolean registryAutoRegister,
    String applicationId,
    Path stateDir,
    int threads,
    int httpPort,
    String httpAdvertisedHost,
    String httpUrl,
    Duration queryTimeout,
    Duration commandTimeout,
    Duration startupTimeout,
    int topicPartitions,
    short topicReplicationFactor,
    boolean applyTopics,
    Map<String, String> kafka) {

  /** Validates and copies. */
  public Settings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(registryUrl, "registryUrl");
    Objects.requireNonNull(httpAdvertisedHost, "httpAdvertisedHost");
    Objects.requireNonNull(httpUrl, "httpUrl");
    Objects.requireNonNull(queryTimeout, "queryTimeout");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    kafka = Map.copyOf(kafka);
  }

  /**
   * The options of the Kafka Streams application of one aggregate.
   *
   * @param deploymentName used as the application id prefix when none is set
   * @param aggregate the aggregate's name
   * @return options with this state dir, threads and raw Kafka settings
   */
  public AppOptions appOptions(String deploymentName, String aggregate) {
    String prefix = applicationId != null ? applicationId : deploymentName;
    return AppOptions.of(bootstrapServers, prefix + "." + aggregate)
        .withStateDir(stateDir)
        .withStreamThreads(threads)
        .withKafkaOverrides(kafka);
  }

  /**
   * The options of a command gateway.
   *
   * @return options with the command timeout and raw Kafka settings
   */
  public GatewayOptions gatewayOptions() {
    return GatewayOptions.of(bootstrapServers).withTimeout(commandTimeout).withKafkaOverrides(kafka);
  }

  /**
   * The options of the schema registry client.
   *
   * @return options with the URL and credentials (the client's default timeouts and retries)
   */
  public HttpSchemaRegistry.Options registryOptions() {
    HttpSchemaRegistry.Options options = HttpSchemaRegistry.Options.of(registryUrl);
    if (registryUsername != null) {
      options = options.withCredentials(RegistryCredentials.basic(registryUsername,
          registryPassword == null ? "" : registryPassword));
    }
    return options;
  }

  /**
   * The configuration of an admin client.
   *
   * @return bootstrap servers plus the raw Kafka settings; a fresh mutable map
   */
  public Map<String, Object> adminConfig() {
    Map<String, Object> config = new HashMap<>(kafka);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }
}
