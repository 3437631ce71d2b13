package io.eskafka.testing;

import io.eskafka.internal.DirectoryTree;
import io.eskafka.internal.JvmShared;
import io.eskafka.internal.StopOnce;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running inside this JVM.
 *
 * <p>Meant for demos, this project's tests and users' tests: nothing to install, no Docker. It runs
 * Kafka's own server code ({@code kafka.server.KafkaRaftServer}), so transactions, exactly-once,
 * compaction and consumer groups behave as on a real cluster. Settings that a single node needs
 * for exactly-once (replication factor 1 for the internal topics, {@code min.isr=1}) are preset;
 * topic auto-creation is off so that a missing topic fails loudly, as it should in production.
 *
 * <p>The broker listens on {@code 127.0.0.1} only. Use {@link #start()} for a private broker on
 * ephemeral ports in a temporary directory, {@link #start(Options)} to choose port, data directory
 * and extra settings, or {@link #shared()} for one broker per JVM shared by many tests.
 *
 * <p>Needs {@code org.apache.kafka:kafka_2.13} and {@code org.apache.kafka:kafka-server} on the
 * class path; the toolkit declares them optional, so projects using this class declare them.
 *
 * <p>Start-up (a few seconds on a cold JVM) is dominated by class loading and JIT compilation,
 * not by Kafka itself. On small machines, {@code -XX:TieredStopAtLevel=1} on the test JVM cuts
 * it noticeably; routing the Log4j API away from log4j-core (e.g. {@code
 * log4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory} in
 * {@code log4j2.component.properties}) saves a little more. The broker logs through slf4j.
 *
 * <p>Thread-safety: all methods may be called from any thread; {@link #close()} is idempotent.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String HOST = "127.0.0.1";
  private static final long POLL_INTERVAL_MS = 50;

  private static final JvmShared<EmbeddedKafka> SHARED =
      new JvmShared<>("shared embedded Kafka", () -> start(Options.defaults(), true));

  private final KafkaRaftServer server;
  private final Path directory;
  private final boolean deleteDirectoryOnClose;
  private final int port;
  private final Duration startupDuration;
  private final boolean isShared;
  private final StopOnce stopper;

  /**
   * Settings for {@link EmbeddedKafka#start(Options)}. Immutable; start from {@link #defaults()} and
   * use the {@code with…} methods.
   *
   * @param port the PLAINTEXT port clients connect to; {@code 0} picks a free ephemeral port. The
   *     controller port is always ephemeral.
   * @param dataDirectory where the broker keeps its data; {@code null} means a fresh temporary
   *     directory that {@link EmbeddedKafka#close()} deletes. A given directory is kept on close
   *     and reused on the next start, so data survives restarts.
   * @param startupTimeout how long {@link EmbeddedKafka#start(Options)} waits for the broker to
   *     answer; never {@code null}, must be positive
   * @param brokerConfigs extra broker settings, applied last so they override the built-in ones
   *     (escape hatch; overriding listeners or {@code log.dirs} breaks this class); never {@code
   *     null}, copied
   */
  public record Options(
      int port, Path dataDirectory, Duration startupTimeout, Map<String, String> brokerConfigs) {

    /** Default startup timeout: generous, since a cold first start on a busy CI box is slow. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);

    /** Validates and copies the arguments; see the record description for their meaning. */
    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 (ephemeral) or 1..65535, got " + port);
      }
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (startupTimeout.isNegative() || startupTimeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be positive, got " + startupTimeout);
      }
      Objects.requireNonNull(brokerConfigs, "brokerConfigs");
      // Map.copyOf rejects null keys/values, which Properties could not hold anyway.
      brokerConfigs = Map.copyOf(brokerConfigs);
    }

    /**
     * Ephemeral port, temporary directory, 30 s startup timeout, no extra broker settings.
     *
     * @return the default options, never {@code null}
     */
    public static Options defaults() {
      return new Options(0, null, DEFAULT_STARTUP_TIMEOUT, Map.of());
    }

    /**
     * Returns a copy with another client port.
     *
     * @param newPort the PLAINTEXT port, {@code 0} for an ephemeral one
     * @return a copy with the given port
     */
    public Options withPort(int newPort) {
      return new Options(newPort, dataDirectory, startupTimeout, brokerConfigs);
    }

    /**
     * Returns a copy with another data directory.
     *
     * @param newDataDirectory a directory kept across restarts, or {@code null} for a temporary one
     * @return a copy with the given data directory
     */
    public Options withDataDirectory(Path newDataDirectory) {
      return new Options(port, newDataDirectory, startupTimeout, brokerConfigs);
    }

    /**
     * Returns a copy with another startup timeout.
     *
     * @param newStartupTimeout positive, not {@code null}
     * @return a copy with the given startup timeout
     */
    public Options withStartupTimeout(Duration newStartupTimeout) {
      return new Options(port, dataDirectory, newStartupTimeout, brokerConfigs);
    }

    /**
     * Returns a copy with one more extra broker setting.
     *
     * @param key a broker setting name, not {@code null}
     * @param value its value, not {@code null}
     * @return a copy with this extra broker setting added (replacing an earlier value for the key)
     */
    public Options withBrokerConfig(String key, String value) {
      Map<String, String> copy = new LinkedHashMap<>(brokerConfigs);
      copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return new Options(port, dataDirectory, startupTimeout, copy);
    }

    /**
     * Returns a copy whose extra broker settings are exactly the given ones.
     *
     * @param newBrokerConfigs all extra broker settings, replacing earlier ones; not {@code null}
     * @return a copy with exactly these extra broker settings
     */
    public Options withBrokerConfigs(Map<String, String> newBrokerConfigs) {
      return new Options(port, dataDirectory, startupTimeout, newBrokerConfigs);
    }
  }

  private EmbeddedKafka(
      KafkaRaftServer server,
      Path directory,
      boolean deleteDirectoryOnClose,
      int port,
      Duration startupDuration,
      boolean isShared) {
    this.server = server;
    this.directory = directory;
    this.deleteDirectoryOnClose = deleteDirectoryOnClose;
    this.port = port;
    this.startupDuration = startupDuration;
    this.isShared = isShared;
    this.stopper = new StopOnce("embedded-kafka-shutdown-" + port, () -> {
      stop(server);
      if (deleteDirectoryOnClose) {
        DirectoryTree.deleteQuietly(directory);
      }
    });
  }

  /**
   * Starts a private broker on ephemeral ports in a temporary directory and waits until it answers.
   *
   * <p>Blocks the calling thread for the startup (a few seconds).
   *
   * @return the running broker, never {@code null}; close it when done
   * @throws IllegalStateException if the broker does not start within 30 s
   */
  public static EmbeddedKafka start() {
    return start(Options.defaults());
  }

  /**
   * Starts a private broker with the given options and waits until it answers.
   *
   * <p>Blocks the calling thread for the startup (a few seconds). On an ephemeral port, a port
   * taken by someone else between choosing and binding is retried once with new ports.
   *
   * @param options the settings, not {@code null}
   * @return the running broker, never {@code null}; close it when done
   * @throws IllegalStateException if the broker fails to start or to answer within {@link
   *     Options#startupTimeout()}
   */
  public static EmbeddedKafka start(Options options) {
    return start(options, false);
  }

  /**
   * The broker shared by everything in this JVM: started on first call with {@link
   * Options#defaults()}, stopped (and its directory deleted) when the JVM exits.
   *
   * <p>Calling {@link #close()} on it does nothing, so callers can treat it like any other
   * instance. Tests sharing it must use unique topic names and group ids. If the first start fails,
   * every later call rethrows that failure rather than waiting again.
   *
   * @return the shared running broker, never {@code null}
   * @throws IllegalStateException if the broker could not be started
   */
  public static EmbeddedKafka shared() {
    return SHARED.get();
  }

  private static EmbeddedKafka start(Options options, boolean isShared) {
    Objects.requireNonNull(options, "options");
    long startNanos = System.nanoTime();
    long deadline = startNanos + options.startupTimeout().toNanos();
    boolean temporary = options.dataDirectory() == null;
    Path directory;
    try {
      directory =
          temporary
              ? Files.createTempDirectory("eskafka-broker-")
              : Files.createDirectories(options.dataDirectory().toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker directory", e);
    }
    try {
      KafkaRaftServer server;
      int port;
      try {
        port = options.port() != 0 ? options.port() : freePort();
        server = startServer(directory, port, options);
      } catch (RuntimeException e) {
        if (!isBindFailure(e)) {
          throw e;
        }
        // The port was free when probed but someone took it before Kafka bound it: try once more.
        LOG.info("embedded Kafka: port conflict on start, retrying with new ports", e);
        port = options.port() != 0 ? options.port() : freePort();
        server = startServer(directory, port, options);
      }
      String bootstrap = HOST + ":" + port;
      long serverStartedNanos = System.nanoTime();
      try {
        awaitReady(bootstrap, deadline, options.startupTimeout());
      } catch (RuntimeException e) {
        stop(server);
        throw e;
      }
      Duration startup = Duration.ofNanos(System.nanoTime() - startNanos);
      LOG.info(
          "embedded Kafka ready at {} in {} ms ({} ms waiting for it to answer; data in {})",
          bootstrap,
          startup.toMillis(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - serverStartedNanos),
          directory);
      return new EmbeddedKafka(server, directory, temporary, port, startup, isShared);
    } catch (RuntimeException | Error e) {
      if (temporary) {
        DirectoryTree.deleteQuietly(directory);
      }
      throw e;
    }
  }

  private static KafkaRaftServer startServer(Path directory, int port, Options options) {
    // Each probe's socket is closed before the next one, so the OS may hand out the same
    // ephemeral port twice (seen under load); Kafka refuses two listeners on one port.
    int controllerPort = freePort();
    for (int attempt = 0; controllerPort == port && attempt < 10; attempt++) {
      controllerPort = freePort();
    }
    Properties props = brokerProperties(directory, port, controllerPort, options.brokerConfigs());
    long t0 = System.nanoTime();
    formatIfNeeded(directory, props);
    long t1 = System.nanoTime();
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    try {
      server.startup();
      LOG.debug(
          "embedded Kafka: format {} ms, startup {} ms",
          TimeUnit.NANOSECONDS.toMillis(t1 - t0),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
    } catch (RuntimeException | Error e) {
      // startup() leaves threads, sockets and the log dir lock behind on failure; release them.
      stop(server);
      throw e;
    }
    return server;
  }

  private static Properties brokerProperties(
      Path directory, int port, int controllerPort, Map<String, String> extra) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    // Static voters: the quorum is not written into the formatted storage, so a persistent
    // directory can be restarted on different ports.
    p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", directory.resolve("data").toString());
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    // One node: every internal topic must make do with one replica, or transactions
    // and consumer groups never become available.
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Tests start a consumer group and expect it to work now, not after the 3 s default delay.
    p.put("group.initial.rebalance.delay.ms", "0");
    p.putAll(extra);
    return p;
  }

  private static void formatIfNeeded(Path directory, Properties props) {
    if (Files.exists(directory.resolve("data").resolve("meta.properties"))) {
      return;
    }
    // StorageTool only reads its configuration from a file.
    Path config = directory.resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      props.store(w, "written by io.eskafka.testing.EmbeddedKafka to format the storage");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      rc =
          kafka.tools.StorageTool$.MODULE$.execute(
              new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
              out);
    }
    String output = captured.toString(StandardCharsets.UTF_8).trim();
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage failed (rc=" + rc + "): " + output);
    }
    LOG.debug("formatted Kafka storage in {}: {}", directory, output);
  }

  private static void awaitReady(String bootstrap, long deadlineNanos, Duration timeout) {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, POLL_INTERVAL_MS,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200L);
    Exception last = null;
    try (Admin admin = Admin.create(config)) {
      while (true) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (remainingMs <= 0) {
          break;
        }
        int attemptMs = (int) Math.max(1, Math.min(remainingMs, 2_000));
        try {
          // A broker is listed only once it is registered and unfenced, i.e. usable by clients.
          if (!admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(attemptMs))
              .nodes()
              .get(attemptMs, TimeUnit.MILLISECONDS)
              .isEmpty()) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        } catch (Exception e) {
          last = e;
        }
        try {
          Thread.sleep(POLL_INTERVAL_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
      }
    }
    throw new IllegalStateException(
        "embedded Kafka at " + bootstrap + " not ready within " + timeout, last);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static void stop(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("embedded Kafka did not shut down cleanly", e);
    }
  }

  /**
   * The address clients use, e.g. {@code 127.0.0.1:40123}, for {@code bootstrap.servers}.
   *
   * @return host and port, never {@code null}
   */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /**
   * The PLAINTEXT port clients connect to (the chosen one when started with port {@code 0}).
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * The directory holding the broker's configuration and data ({@code data/} inside it). A
   * temporary one no longer exists after {@link #close()}.
   *
   * @return an absolute path, never {@code null}
   */
  public Path dataDirectory() {
    return directory;
  }

  /**
   * How long {@code start} took, from the call until clients could talk to the broker (including
   * formatting the storage on a first start).
   *
   * @return the measured startup time, never {@code null}
   */
  public Duration startupDuration() {
    return startupDuration;
  }

  /**
   * Whether this is the JVM-wide broker returned by {@link #shared()}.
   *
   * @return {@code true} for the shared broker
   */
  public boolean isShared() {
    return isShared;
  }

  /**
   * Shuts the broker down cleanly, waits for it, then deletes the directory if it was temporary
   * (a directory given in {@link Options#dataDirectory()} is kept).
   *
   * <p>Idempotent and thread-safe; blocks until the shutdown is complete. Does nothing on the
   * {@link #shared()} broker, which stops when the JVM exits.
   */
  @Override
  public void close() {
    if (isShared) {
      return;
    }
    stopper.close();
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers() + (isShared ? ", shared" : "") + "]";
  }
}
