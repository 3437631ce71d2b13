package io.eskafka.testing;

import io.eskafka.internal.DirectoryTree;
import io.eskafka.internal.JvmShared;
import io.eskafka.internal.StopOnce;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Confluent-compatible schema registry for tests: Apicurio Registry 2.4.2.Final (in-memory
 * storage), built by this project's {@code dev-registry} module into a runnable jar, started as a
 * child JVM on {@code 127.0.0.1} on a free port with the global compatibility rule BACKWARD.
 *
 * <p>Clients talk to its Confluent API at {@link #url()} (e.g. with
 * {@link io.eskafka.kafka.serde.HttpSchemaRegistry}). Everything lives in memory and dies with
 * the process. Differences from a Confluent registry that tests may notice: the default
 * compatibility rule of Apicurio is NONE (this fixture switches it to BACKWARD), and the
 * {@code error_code} of a 409 "incompatible" answer is 0 rather than 409.
 *
 * <p>The jar is found through the system property {@value #JAR_PROPERTY} (the toolkit's surefire
 * configuration sets it to {@code dev-registry/target/eskafka-dev-registry-<version>-runner.jar}).
 * The registry's console output goes to {@code registry.log} in a temporary directory, which
 * {@link #close()} deletes; a failed start quotes its tail.
 *
 * <p>Start-up takes a few seconds (a Quarkus JVM, ~160 MB heap at most). Use {@link #shared()} for
 * one registry per test JVM; tests sharing it must use unique subject names.
 *
 * <p>Thread-safety: all methods may be called from any thread; {@link #close()} is idempotent. A
 * registry whose test JVM is killed hard (SIGKILL) outlives it: the shutdown hook cannot run.
 */
public final class DevSchemaRegistry implements AutoCloseable {

  /** The system property naming the runnable registry jar. */
  public static final String JAR_PROPERTY = "eskafka.dev-registry.jar";

  /** How long {@link #start()} and {@link #shared()} wait for the registry to become ready. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);

  private static final Logger LOG = LoggerFactory.getLogger(DevSchemaRegistry.class);
  private static final String HOST = "127.0.0.1";
  private static final long POLL_INTERVAL_MS = 100;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 40;

  private static final JvmShared<DevSchemaRegistry> SHARED = new JvmShared<>(
      "shared dev schema registry", () -> start(jarFromProperty(), 0, DEFAULT_STARTUP_TIMEOUT, true));

  private final Process process;
  private final Path directory;
  private final int port;
  private final Duration startupDuration;
  private final boolean isShared;
  private final StopOnce stopper;

  private DevSchemaRegistry(
      Process process, Path directory, int port, Duration startupDuration, boolean isShared) {
    this.process = process;
    this.directory = directory;
    this.port = port;
    this.startupDuration = startupDuration;
    this.isShared = isShared;
    this.stopper = new StopOnce("dev-schema-registry-shutdown-" + port, () -> {
      stop(process);
      DirectoryTree.deleteQuietly(directory);
    });
  }

  /**
   * Starts a private registry from the jar named by {@value #JAR_PROPERTY} and waits until it is
   * ready. Blocks the calling thread for the start-up (a few seconds).
   *
   * @return the running registry, never null; close it when done
   * @throws IllegalStateException if the property is not set, the jar does not exist, or the
   *     registry does not become ready within {@link #DEFAULT_STARTUP_TIMEOUT}
   */
  public static DevSchemaRegistry start() {
    return start(jarFromProperty(), DEFAULT_STARTUP_TIMEOUT);
  }

  /**
   * Starts a private registry from a given jar and waits until it is ready.
   *
   * @param runnerJar the runnable jar built by the {@code dev-registry} module, not null
   * @param startupTimeout how long to wait for readiness, positive, not null
   * @return the running registry, never null; close it when done
   * @throws IllegalStateException if the jar does not exist or the registry does not become ready
   *     in time (the message quotes the end of its output)
   */
  public static DevSchemaRegistry start(Path runnerJar, Duration startupTimeout) {
    return start(runnerJar, 0, startupTimeout, false);
  }

  /**
   * Starts a private registry from a given jar on a given port (e.g. for {@code eskafka dev}, whose
   * users configure a fixed registry URL) and waits until it is ready.
   *
   * @param runnerJar the runnable jar built by the {@code dev-registry} module, not null
   * @param port the HTTP port on 127.0.0.1, or 0 for a free one
   * @param startupTimeout how long to wait for readiness, positive, not null
   * @return the running registry, never null; close it when done
   * @throws IllegalStateException if the jar does not exist or the registry does not become ready
   *     in time (for instance because the port is taken; the message quotes its output)
   */
  public static DevSchemaRegistry start(Path runnerJar, int port, Duration startupTimeout) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535, got " + port);
    }
    return start(runnerJar, port, startupTimeout, false);
  }

  /**
   * The registry shared by everything in this JVM: started on first call, stopped by a shutdown
   * hook when the JVM exits. Calling {@link #close()} on it does nothing. If the first start fails,
   * every later call rethrows that failure rather than waiting again.
   *
   * @return the shared running registry, never null
   * @throws IllegalStateException if the registry could not be started
   */
  public static DevSchemaRegistry shared() {
    return SHARED.get();
  }

  private static Path jarFromProperty() {
    String value = System.getProperty(JAR_PROPERTY);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + JAR_PROPERTY + " is not set: it must name the"
          + " runnable registry jar built by the dev-registry module"
          + " (dev-registry/target/eskafka-dev-registry-<version>-runner.jar); the toolkit's surefire"
          + " configuration sets it, so run the build from the repository root");
    }
    return Paths.get(value);
  }

  private static DevSchemaRegistry start(Path runnerJar, int fixedPort, Duration startupTimeout,
      boolean isShared) {
    Objects.requireNonNull(runnerJar, "runnerJar");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    if (startupTimeout.isNegative() || startupTimeout.isZero()) {
      throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
    }
    Path jar = runnerJar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("dev schema registry jar " + jar + " does not exist (from "
          + JAR_PROPERTY + "): build the dev-registry module first (mvn -B install -DskipTests)");
    }
    long startNanos = System.nanoTime();
    long deadline = startNanos + startupTimeout.toNanos();
    Path directory;
    try {
      directory = Files.createTempDirectory("eskafka-registry-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the registry", e);
    }
    Path log = directory.resolve("registry.log");
    Process process = null;
    try {
      int port = fixedPort == 0 ? freePort() : fixedPort;
      process = launch(jar, port, directory, log);
      awaitReady(process, port, deadline, startupTimeout, log);
      Duration startup = Duration.ofNanos(System.nanoTime() - startNanos);
      LOG.info("dev schema registry (Apicurio) ready at http://{}:{} in {} ms (pid {}, output in {})",
          HOST, port, startup.toMillis(), process.pid(), log);
      return new DevSchemaRegistry(process, directory, port, startup, isShared);
    } catch (RuntimeException | Error e) {
      if (process != null) {
        stop(process);
      }
      DirectoryTree.deleteQuietly(directory);
      throw e;
    }
  }

  private static Process launch(Path jar, int port, Path directory, Path log) {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = List.of(
        java.toString(),
        "-Xmx160m",
        // Start-up speed over peak throughput: a test registry serves a few hundred requests.
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Dquarkus.http.host=" + HOST,
        "-Dquarkus.http.port=" + port,
        "-Dregistry.rules.global.compatibility=BACKWARD",
        "-Dquarkus.log.level=WARN",
        "-Dquarkus.banner.enabled=false",
        "-jar",
        jar.toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    // Apicurio's production profile sets its own categories to ${REGISTRY_LOG_LEVEL:INFO}.
    builder.environment().put("REGISTRY_LOG_LEVEL", "WARN");
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private static void awaitReady(Process process, int port, long deadlineNanos, Duration timeout, Path log) {
    URI health = URI.create("http://" + HOST + ":" + port + "/health/ready");
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(1))
        .build();
    HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET().build();
    String lastAnswer = "no answer yet";
    while (System.nanoTime() < deadlineNanos) {
      if (!process.isAlive()) {
        throw new IllegalStateException("dev schema registry exited with code " + process.exitValue()
            + " before it became ready; end of its output (" + log + "):\n" + tail(log));
      }
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        lastAnswer = "HTTP " + response.statusCode();
      } catch (IOException notListeningYet) {
        lastAnswer = notListeningYet.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the dev schema registry", e);
      }
      try {
        Thread.sleep(POLL_INTERVAL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the dev schema registry", e);
      }
    }
    throw new IllegalStateException("dev schema registry not ready at " + health + " within " + timeout
        + " (last: " + lastAnswer + "); end of its output (" + log + "):\n" + tail(log));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("dev schema registry (pid {}) did not stop within {}; killing it", process.pid(), STOP_TIMEOUT);
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The Confluent-compatible API root, e.g. {@code http://127.0.0.1:40123/apis/ccompat/v7}: the
   * base URL for {@link io.eskafka.kafka.serde.HttpSchemaRegistry}.
   *
   * @return the URL without a trailing slash, never null
   */
  public String url() {
    return baseUrl() + "/apis/ccompat/v7";
  }

  /**
   * The root of the registry's HTTP server, e.g. {@code http://127.0.0.1:40123} (Apicurio's own
   * API lives under {@code /apis/registry/v2}, health under {@code /health}).
   *
   * @return the URL without a trailing slash, never null
   */
  public String baseUrl() {
    return "http://" + HOST + ":" + port;
  }

  /**
   * The port the registry listens on.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * How long start-up took, from the call until {@code /health/ready} answered 200.
   *
   * @return the measured duration, never null
   */
  public Duration startupDuration() {
    return startupDuration;
  }

  /**
   * The registry process, e.g. to check that it is alive.
   *
   * @return the process handle, never null
   */
  public ProcessHandle processHandle() {
    return process.toHandle();
  }

  /**
   * The file receiving the registry's console output (WARN and above), for diagnosing a test.
   * It is inside a temporary directory that {@link #close()} deletes.
   *
   * @return the path, never null
   */
  public Path logFile() {
    return directory.resolve("registry.log");
  }

  /**
   * Whether this is the JVM-wide registry returned by {@link #shared()}.
   *
   * @return true for the shared registry
   */
  public boolean isShared() {
    return isShared;
  }

  /**
   * Stops the registry process (politely, then forcibly after 10 s), waits for it and deletes its
   * temporary directory. Idempotent and thread-safe; blocks until done. Does nothing on the
   * {@link #shared()} registry, which stops when the JVM exits.
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
    return "DevSchemaRegistry[" + url() + (isShared ? ", shared" : "") + "]";
  }
}
