package io.eskafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.EventKey;
import io.eskafka.testing.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Two instances of one app share the partitions; stopping one while commands flow hands its
 * partitions to the other and loses no accepted command.
 */
class ScaleOutIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final int STREAMS = 12;

  private record Accepted(String streamId, long version) {}

  @Test
  void twoInstancesSharePartitionsAndTheSurvivorKeepsEveryAcceptedCommand() throws Exception {
    Deployment bank = TestDeployments.bank("scale-account");
    Settings settings = TestDeployments.settings("application.id", "scale-it");
    AppRuntime first = AppRuntime.start(bank, settings, line -> { });
    AppRuntime second = null;
    try {
      second = AppRuntime.start(bank, settings, line -> { });
      AppRuntime a = first;
      AppRuntime b = second;
      List<Accepted> accepted = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        JsonNode result = command(i % 2 == 0 ? a : b, "s-" + i, "OpenAccount",
            "{\"owner\": \"owner-" + i + "\"}");
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("ACCEPTED");
        accepted.add(new Accepted("s-" + i, result.get("version").asLong()));
      }

      // Shared: every stream is served by exactly one of the two, and each serves some.
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        int servedByA = 0;
        int servedByB = 0;
        for (int i = 0; i < STREAMS; i++) {
          int fromA = stateStatus(a, "s-" + i);
          int fromB = stateStatus(b, "s-" + i);
          assertThat(List.of(fromA, fromB)).as("s-%d", i).containsExactlyInAnyOrder(200, 503);
          servedByA += fromA == 200 ? 1 : 0;
          servedByB += fromB == 200 ? 1 : 0;
        }
        assertThat(servedByA).isPositive();
        assertThat(servedByB).isPositive();
      });

      // Commands keep flowing through the survivor while the first instance stops.
      CompletableFuture<Void> stopping = null;
      int unanswered = 0;
      for (int n = 0; n < 60; n++) {
        if (n == 10) {
          stopping = CompletableFuture.runAsync(first::close);
        }
        String streamId = "s-" + (n % STREAMS);
        JsonNode result = command(b, streamId, "Deposit", "{\"amountCents\": 1}");
        if (result.has("status") && result.get("status").asText().equals("ACCEPTED")) {
          accepted.add(new Accepted(streamId, result.get("version").asLong()));
        } else {
          unanswered++; // a 503 while partitions move: the command may still be applied later
        }
      }
      stopping.get();
      assertThat(accepted.size()).isGreaterThan(STREAMS + 40 - unanswered);

      // Every accepted command's event is in the event topic...
      Map<String, Set<Long>> logged = eventVersions(bank.aggregates().get(0).topics().events());
      for (Accepted command : accepted) {
        assertThat(logged.getOrDefault(command.streamId(), Set.of())).as("%s", command)
            .contains(command.version());
      }
      // ...and reflected in the state the survivor serves, which now owns every partition.
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        for (int i = 0; i < STREAMS; i++) {
          String streamId = "s-" + i;
          JsonNode state = state(b, streamId);
          long maxAccepted = accepted.stream().filter(c -> c.streamId().equals(streamId))
              .mapToLong(Accepted::version).max().orElseThrow();
          assertThat(state.get("version").asLong()).as(streamId)
              .isGreaterThanOrEqualTo(maxAccepted)
              .isEqualTo(logged.get(streamId).size());
          assertThat(state.get("state").get("balanceCents").asLong()).as(streamId)
              .isEqualTo(state.get("version").asLong() - 1);
        }
      });
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  private static JsonNode command(AppRuntime runtime, String streamId, String type, String payload)
      throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + runtime.httpPort() + "/aggregates/scale-account/streams/" + streamId
            + "/commands")).timeout(Duration.ofSeconds(90))
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"" + type + "\", \"payload\": "
            + payload + "}")).build(), HttpResponse.BodyHandlers.ofString());
    return MAPPER.readTree(response.body());
  }

  private static int stateStatus(AppRuntime runtime, String streamId) throws Exception {
    return HTTP.send(stateRequest(runtime, streamId), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static JsonNode state(AppRuntime runtime, String streamId) throws Exception {
    HttpResponse<String> response = HTTP.send(stateRequest(runtime, streamId),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return MAPPER.readTree(response.body());
  }

  private static HttpRequest stateRequest(AppRuntime runtime, String streamId) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.httpPort()
        + "/aggregates/scale-account/streams/" + streamId)).timeout(Duration.ofSeconds(30)).build();
  }

  /** Stream id to the versions in the event topic, read_committed, up to its end. */
  private static Map<String, Set<Long>> eventVersions(String topic) {
    Map<String, Set<Long>> versions = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.shared().bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          EventKey key = EventKey.parse(new String(record.key(), StandardCharsets.UTF_8));
          versions.computeIfAbsent(key.streamId(), k -> new HashSet<>()).add(key.version());
        }
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
      });
    }
    return versions;
  }
}
