package io.eskafka.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eskafka.testing.DevSchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code eskafka run bank} as its own process, configured through the environment: serves
 * commands, then SIGTERM closes it gracefully, and a restarted instance sees every accepted
 * command.
 */
class RunLifecycleIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern HTTP_LINE = Pattern.compile("http +: http://localhost:(\\d+) ");

  @Test
  void sigtermClosesTheAppGracefullyAndARestartServesTheSameState() throws Exception {
    Process first = start();
    List<String> firstOut = output(first);
    int port = awaitReady(first, firstOut);
    assertThat(command(port, "life-1", "{\"type\": \"OpenAccount\", \"payload\": {\"owner\": \"Ada\"}}")
        .get("status").asText()).isEqualTo("ACCEPTED");
    JsonNode deposit = command(port, "life-1",
        "{\"type\": \"Deposit\", \"payload\": {\"amountCents\": 250}}");
    assertThat(deposit.get("version").asLong()).isEqualTo(2);

    // SIGTERM; through the handle, which (unlike Process.destroy) leaves the output readable.
    first.toHandle().destroy();
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as(String.join("\n", firstOut)).isEqualTo(143); // 128 + SIGTERM
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(firstOut)
        .anyMatch(line -> line.startsWith("stopped bank in ")));
    assertThat(firstOut).anyMatch(line -> line.startsWith("stopping bank (closing Kafka Streams"));

    Process second = start();
    try {
      List<String> secondOut = output(second);
      int secondPort = awaitReady(second, secondOut);
      HttpResponse<String> state = HTTP.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + secondPort + "/aggregates/bank-account/streams/life-1")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(state.statusCode()).as(state.body()).isEqualTo(200);
      assertThat(MAPPER.readTree(state.body()).get("version").asLong()).isEqualTo(2);
      assertThat(MAPPER.readTree(state.body()).get("state").get("balanceCents").asLong())
          .isEqualTo(250);
    } finally {
      second.destroy();
      second.waitFor(60, TimeUnit.SECONDS);
    }
  }

  private static Process start() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        Eskafka.class.getName(), "run", "bank")
        .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("ESKAFKA_BOOTSTRAP_SERVERS", EmbeddedKafka.shared().bootstrapServers());
    env.put("ESKAFKA_REGISTRY_URL", DevSchemaRegistry.shared().url());
    env.put("ESKAFKA_HTTP_PORT", "0");
    env.put("ESKAFKA_APPLICATION_ID", "lifecycle-it");
    env.put("ESKAFKA_TOPICS_PARTITIONS", "2");
    return builder.start();
  }

  private static List<String> output(Process process) {
    return ProcessOutput.collect(process, "run-output");
  }

  private static int awaitReady(Process process, List<String> out) {
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("eskafka run exited " + process.exitValue() + ":\n"
            + String.join("\n", out));
      }
      return out.stream().anyMatch(line -> line.startsWith("ready."));
    });
    for (String line : out) {
      Matcher matcher = HTTP_LINE.matcher(line);
      if (matcher.find()) {
        return Integer.parseInt(matcher.group(1));
      }
    }
    throw new AssertionError("no http line in:\n" + String.join("\n", out));
  }

  private static JsonNode command(int port, String streamId, String body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + port + "/aggregates/bank-account/streams/" + streamId + "/commands"))
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return MAPPER.readTree(response.body());
  }
}
