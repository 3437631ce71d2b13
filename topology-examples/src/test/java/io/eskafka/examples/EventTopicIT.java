package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandResult;
import io.eskafka.client.GatewayOptions;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** The event topic as Kafka sees it: its configuration, partitioning and order. */
class EventTopicIT {

  private static final int PARTITIONS = 3;
  private static final int STREAMS = 12;
  private static final int DEPOSITS = 8;

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount("event-topic-it");

  @Test
  void eventsAreCompactedForeverAndEachStreamLivesInOrderOnItsCommandsPartition() throws Exception {
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(aggregate.topics().specs(PARTITIONS, (short) 1));
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, aggregate.topics().events());
      Config config = admin.describeConfigs(List.of(events)).all().get().get(events);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(config.get("retention.ms").value()).isEqualTo("-1");
      assertThat(admin.describeTopics(List.of(aggregate.topics().events())).allTopicNames().get()
          .get(aggregate.topics().events()).partitions()).hasSize(PARTITIONS);
    }

    AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
    try (AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde,
            AppOptions.of(bootstrap, "event-topic-it-app")).start()
            .awaitRunning(Duration.ofSeconds(60));
        CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
            GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(60)))) {
      List<CompletableFuture<CommandResult>> pending = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        gateway.send("acc-" + s, new OpenAccount("owner-" + s)).get(60, TimeUnit.SECONDS);
      }
      // Interleave streams so that a wrong partitioner or reordering would show.
      for (int d = 1; d <= DEPOSITS; d++) {
        for (int s = 0; s < STREAMS; s++) {
          pending.add(gateway.send("acc-" + s, new Deposit((long) d)));
        }
      }
      for (CompletableFuture<CommandResult> result : pending) {
        assertThat(result.get(60, TimeUnit.SECONDS).accepted()).isTrue();
      }
    }

    Map<String, Integer> commandPartition = new HashMap<>();
    try (TopicReader commands = new TopicReader(bootstrap, aggregate.topics().commands(), true)) {
      for (ConsumerRecord<byte[], byte[]> r
          : commands.readAtLeast(STREAMS * (1 + DEPOSITS), Duration.ofSeconds(30))) {
        commandPartition.put(new String(r.key(), StandardCharsets.UTF_8), r.partition());
      }
    }
    try (TopicReader events = new TopicReader(bootstrap, aggregate.topics().events(), true)) {
      List<ConsumerRecord<byte[], byte[]>> all =
          events.readAtLeast(STREAMS * (1 + DEPOSITS), Duration.ofSeconds(30));
      assertThat(all).hasSize(STREAMS * (1 + DEPOSITS));
      Map<String, List<Long>> versions = new HashMap<>();
      Map<String, Set<Integer>> partitions = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : all) { // per partition in offset order
        EventKey key = EventKey.parse(new String(r.key(), StandardCharsets.UTF_8));
        versions.computeIfAbsent(key.streamId(), k -> new ArrayList<>()).add(key.version());
        partitions.computeIfAbsent(key.streamId(), k -> new java.util.HashSet<>()).add(r.partition());
      }
      List<Long> expected = new ArrayList<>();
      for (long v = 1; v <= 1 + DEPOSITS; v++) {
        expected.add(v);
      }
      assertThat(versions).hasSize(STREAMS);
      assertThat(partitions.values().stream().flatMap(Set::stream).distinct().count())
          .as("streams spread over several partitions").isGreaterThan(1);
      for (String stream : versions.keySet()) {
        assertThat(versions.get(stream)).as("versions of %s in offset order", stream)
            .containsExactlyElementsOf(expected);
        assertThat(partitions.get(stream)).as("partitions of %s", stream)
            .containsExactly(commandPartition.get(stream));
        assertThat(commandPartition.get(stream)).isEqualTo(EventKey.partitionOf(stream, PARTITIONS));
      }
    }
  }
}
