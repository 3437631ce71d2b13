package io.eskafka.bench;

import io.eskafka.internal.DirectoryTree;
import io.eskafka.testing.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker in its own JVM, so that the benchmark process measures the application and
 * its clients only (CPU and memory), as in a real deployment.
 *
 * <p>The child prints {@code BOOTSTRAP <servers>} once ready and stops when its standard input
 * closes, so it never outlives the benchmark.
 */
final class BrokerProcess implements AutoCloseable {

  private static final String READY = "BOOTSTRAP ";

  private final Process process;
  private final Path dataDir;
  private final String bootstrapServers;

  private BrokerProcess(Process process, Path dataDir, String bootstrapServers) {
    this.process = process;
    this.dataDir = dataDir;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts a broker JVM with the given heap and waits until it is ready. */
  static BrokerProcess start(String heap) throws IOException {
    Path dataDir = Files.createTempDirectory("eskafka-bench-broker-");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The JVM options Kafka's own start script gives a broker (KAFKA_JVM_PERFORMANCE_OPTS): G1
    // with a 20 ms pause goal. With ParallelGC the broker paused up to 120 ms under load, which
    // showed in every client's latency tail.
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx" + heap, "-Xms" + heap,
        "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        BrokerProcess.class.getName(), dataDir.toString()));
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(READY)) {
        return new BrokerProcess(process, dataDir, line.substring(READY.length()).trim());
      }
    }
    process.destroyForcibly();
    DirectoryTree.deleteQuietly(dataDir);
    throw new IOException("broker process exited before it was ready");
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws IOException {
    process.getOutputStream().close(); // the child's signal to shut down cleanly
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      DirectoryTree.deleteQuietly(dataDir);
    }
  }

  /**
   * Child entry point.
   *
   * @param args the data directory
   * @throws IOException when stdin fails
   */
  public static void main(String[] args) throws IOException {
    EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults()
        .withDataDirectory(Path.of(args[0]))
        // A benchmark writes gigabytes: roll and delete segments sooner than the defaults would.
        .withBrokerConfig("log.segment.bytes", String.valueOf(256 * 1024 * 1024));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(options)) {
      System.out.println(READY + kafka.bootstrapServers());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
    }
    System.exit(0);
  }
}
