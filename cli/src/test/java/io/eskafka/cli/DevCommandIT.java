package io.eskafka.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.testing.DevSchemaRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eskafka dev} as its own process: a broker on the given port and the registry on the
 * given port until SIGTERM; with {@code --data-dir}, topics survive a restart.
 */
class DevCommandIT {

  @TempDir
  Path dataDir;

  @Test
  void brokerAndRegistryOnFixedPortsUntilSigtermAndDataSurvivesARestart() throws Exception {
    int kafkaPort = freePort();
    int registryPort = freePort();
    Process first = start("--port", Integer.toString(kafkaPort), "--data-dir", dataDir.toString(),
        "--registry-port", Integer.toString(registryPort));
    List<String> out = output(first);
    try {
      awaitLine(first, out, "Ctrl-C to stop.");
      assertThat(out.get(0)).startsWith("kafka     : 127.0.0.1:" + kafkaPort + " (KRaft");
      assertThat(out.get(1)).startsWith("registry  : http://127.0.0.1:" + registryPort
          + "/apis/ccompat/v7 (Apicurio");
      try (Admin admin = admin(kafkaPort)) {
        admin.createTopics(List.of(new NewTopic("dev-kept", 1, (short) 1))).all()
            .get(30, TimeUnit.SECONDS);
      }
      HttpResponse<String> subjects = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + registryPort + "/apis/ccompat/v7/subjects")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(subjects.statusCode()).isEqualTo(200);
    } finally {
      first.toHandle().destroy(); // SIGTERM
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(out).contains("stopped."));
    assertThat(first.exitValue()).isEqualTo(143);
    assertThat(Files.list(dataDir).findAny()).as("the data dir is kept").isPresent();

    Process second = start("--port", Integer.toString(kafkaPort), "--data-dir", dataDir.toString(),
        "--no-registry");
    List<String> secondOut = output(second);
    try {
      awaitLine(second, secondOut, "Ctrl-C to stop.");
      assertThat(secondOut).noneMatch(line -> line.startsWith("registry"));
      try (Admin admin = admin(kafkaPort)) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("dev-kept");
      }
    } finally {
      second.toHandle().destroy();
      second.waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTakenPortIsACleanStartupFailure() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Process dev = start("--port", Integer.toString(taken.getLocalPort()), "--no-registry");
      List<String> out = output(dev);
      assertThat(dev.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(dev.exitValue()).isEqualTo(ExitCode.ERROR);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(out)
          .anyMatch(line -> line.startsWith("eskafka: cannot start Kafka on port "
              + taken.getLocalPort() + ": ")));
    }
  }

  private static Process start(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-D" + DevSchemaRegistry.JAR_PROPERTY + "=" + System.getProperty(DevSchemaRegistry.JAR_PROPERTY),
        "-cp", System.getProperty("java.class.path"), Eskafka.class.getName(), "dev"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static List<String> output(Process process) {
    return ProcessOutput.collect(process, "dev-output");
  }

  private static void awaitLine(Process process, List<String> out, String line) {
    await().atMost(Duration.ofSeconds(120)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("eskafka dev exited " + process.exitValue() + ":\n"
            + String.join("\n", out));
      }
      return out.contains(line);
    });
  }

  private static Admin admin(int port) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
