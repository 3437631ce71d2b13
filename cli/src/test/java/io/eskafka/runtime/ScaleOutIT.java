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
 * Two instances of one app share the partitions and answer every stream query, forwarding to the
 * owner; stopping one while commands flow hands its partitions to the other, which then answers
 * every query itself, and loses no accepted command.
 */
class ScaleOutIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final int STREAMS = 12;

  private record Accepted(String streamId, long version) {}

  @Test
  void twoInstancesSharePartitionsRouteQueriesAndTheSurvivorKeepsEveryAcceptedCommand() throws Exception {
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

      // Routed: either instance answers every stream's state, events and trace, from the owner's
      // stores (forwarded when the stream is not local: same JSON, same Served-By); each
      // instance owns some streams.
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        Set<String> owners = new HashSet<>();
        for (int i = 0; i < STREAMS; i++) {
          String served = null;
          for (String route : List.of("", "/events", "/trace")) {
            Answer fromA = query(a, "s-" + i + route);
            Answer fromB = query(b, "s-" + i + route);
            assertThat(fromA.status()).as("s-%d%s via A: %s", i, route, fromA.body()).isEqualTo(200);
            assertThat(fromB.status()).as("s-%d%s via B: %s", i, route, fromB.body()).isEqualTo(200);
            assertThat(fromB.body()).isEqualTo(fromA.body());
            assertThat(fromB.servedBy()).isEqualTo(fromA.servedBy());
            assertThat(served == null || served.equals(fromA.servedBy())).isTrue();
            served = fromA.servedBy();
          }
          assertThat(MAPPER.readTree(query(a, "s-" + i + "/events").body()).get("events"))
              .hasSize(1);
          owners.add(served);
        }
        assertThat(owners).containsExactlyInAnyOrder(a.advertisedAddress(), b.advertisedAddress());
      });

      // Loop guard: a request another instance already forwarded is answered or refused, never
      // forwarded again.
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        String ownedByA = null;
        for (int i = 0; i < STREAMS && ownedByA == null; i++) {
          if (a.advertisedAddress().equals(query(a, "s-" + i).servedBy())) {
            ownedByA = "s-" + i;
          }
        }
        assertThat(ownedByA).isNotNull();
        Answer refused = query(b, ownedByA, HttpApi.FORWARDED_BY, "10.0.0.1:8080");
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        JsonNode body = MAPPER.readTree(refused.body());
        assertThat(body.get("reason").asText()).isEqualTo("LOOP_GUARD");
        assertThat(body.get("owner").asText()).isEqualTo(a.advertisedAddress());
        assertThat(body.get("error").asText()).contains("already forwarded by 10.0.0.1:8080");
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
          Answer events = query(b, streamId + "/events");
          assertThat(events.status()).as(events.body()).isEqualTo(200);
          assertThat(events.servedBy()).isEqualTo(b.advertisedAddress());
          assertThat(MAPPER.readTree(events.body()).get("events"))
              .hasSize(logged.get(streamId).size());
          Answer trace = query(b, streamId + "/trace");
          assertThat(trace.status()).as(trace.body()).isEqualTo(200);
          assertThat(MAPPER.readTree(trace.body()).get("steps"))
              .hasSize(logged.get(streamId).size());
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

  private record Answer(int status, String body, String servedBy) {}

  /** GET /aggregates/scale-account/streams/{path} with optional header name/value pairs. */
  private static Answer query(AppRuntime runtime, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + runtime.httpPort() + "/aggregates/scale-account/streams/" + path))
        .timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = HTTP.send(request.build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body(),
        response.headers().firstValue(HttpApi.SERVED_BY).orElse(null));
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
