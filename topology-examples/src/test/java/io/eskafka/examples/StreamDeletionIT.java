package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandStatus;
import io.eskafka.client.GatewayOptions;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.TopicSpec;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Deleting a stream on the embedded broker, then letting the log cleaner compact: a consumer
 * reading the event topic and the snapshot changelog from the beginning sees no record of the
 * stream any more (neither events nor tombstones), while the other streams keep every event.
 */
class StreamDeletionIT {

  private static final String NAME = "erase-it";
  private static final String APP = "erase-it-app";
  /** Compaction settings that make the cleaner act within seconds (defaults: days). */
  private static final Map<String, String> FAST_COMPACTION = Map.of(
      TopicConfig.SEGMENT_MS_CONFIG, "200",
      TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
      TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
      TopicConfig.DELETE_RETENTION_MS_CONFIG, "0");
  private static final String CLEANER_BACKOFF = "log.cleaner.backoff.ms";

  private final String bootstrap = EmbeddedKafka.shared().bootstrapServers();
  private final AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());

  @Test
  void aDeletedStreamIsGoneFromKafkaAfterCompactionAndLaterCommandsAreRejected()
      throws Exception {
    AggregateDefinition<BankAccountState> aggregate = Demo.bankAccount(NAME);
    List<TopicSpec> specs = new ArrayList<>();
    for (TopicSpec spec : aggregate.topics().specs(1, (short) 1)) {
      Map<String, String> configs = new HashMap<>(spec.configs());
      if (spec.name().equals(aggregate.topics().events())) {
        configs.putAll(FAST_COMPACTION);
      }
      specs.add(new TopicSpec(spec.name(), spec.partitions(), spec.replicationFactor(), configs));
    }
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(specs);
    }
    Map<String, String> changelogConfigs = new HashMap<>();
    FAST_COMPACTION.forEach((key, value) -> changelogConfigs.put("topic." + key, value));
    AppOptions options = AppOptions.of(bootstrap, APP).withKafkaOverrides(changelogConfigs);
    String snapshotChangelog = APP + "-" + NAME + ".snapshots-changelog";

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde, options)
            .start().awaitRunning(Duration.ofSeconds(60));
        CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
            GatewayOptions.of(bootstrap).withTimeout(Duration.ofSeconds(60)))) {
      cleanerBackoff(admin, "200");
      try {
        List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
        for (String stream : List.of("gone", "kept")) {
          sent.add(gateway.send(stream, new OpenAccount(stream)));
          for (int i = 0; i < 20; i++) {
            sent.add(gateway.send(stream, new Deposit(10L)));
          }
        }
        for (CompletableFuture<CommandResult> result : sent) {
          assertThat(result.get(60, TimeUnit.SECONDS).accepted()).isTrue();
        }
        assertThat(keysOf(aggregate.topics().events(), "gone")).hasSize(21);

        CommandResult deleted = gateway.deleteStream("gone").get(60, TimeUnit.SECONDS);
        assertThat(deleted.status()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(deleted.version()).isEqualTo(21L);
        assertThat(app.queries().events("gone")).isEmpty();
        assertThat(app.currentState("gone")).isEmpty();
        assertThat(app.queries().deletedAt("gone")).isPresent();
        CommandResult later = gateway.send("gone", new OpenAccount("again"))
            .get(60, TimeUnit.SECONDS);
        assertThat(later.status()).isEqualTo(CommandStatus.REJECTED);
        assertThat(later.reason()).startsWith("stream gone was deleted at ");

        // Before compaction: 21 events and 21 tombstones. Writes to another stream keep rolling
        // segments, which is what lets the cleaner reach the tombstones (never the active one).
        long keptVersion = 21;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<String> eventsLeft;
        List<String> snapshotsLeft;
        do {
          assertThat(gateway.send("kept", new Deposit(1L)).get(60, TimeUnit.SECONDS).accepted())
              .isTrue();
          keptVersion++;
          eventsLeft = keysOf(aggregate.topics().events(), "gone");
          snapshotsLeft = keysOf(snapshotChangelog, "gone");
        } while ((!eventsLeft.isEmpty() || !snapshotsLeft.isEmpty()) && System.nanoTime() < deadline);
        assertThat(eventsLeft).as("records of stream gone left in the event topic").isEmpty();
        assertThat(snapshotsLeft).as("records of stream gone left in the snapshot changelog")
            .isEmpty();
        // Compaction lost nothing else: every event of the other stream is still there.
        long keptVersionNow = keptVersion;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(keysOf(aggregate.topics().events(), "kept")).hasSize((int) keptVersionNow));
        assertThat(app.queries().events("kept")).hasSize((int) keptVersion);
      } finally {
        cleanerBackoff(admin, null);
      }
    }
  }

  /** Keys of one stream's records (event keys or the stream id itself) in a topic, from the start. */
  private List<String> keysOf(String topic, String streamId) {
    List<String> keys = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          String key = new String(record.key(), StandardCharsets.UTF_8);
          if (key.equals(streamId) || isEventOf(key, streamId)) {
            keys.add(key);
          }
        }
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
      });
    }
    return keys;
  }

  private static boolean isEventOf(String key, String streamId) {
    try {
      return EventKey.parse(key).streamId().equals(streamId);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Sets (or, with {@code null}, removes) the cluster-wide cleaner backoff; a dynamic config. */
  private static void cleanerBackoff(Admin admin, String millis) throws Exception {
    ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
    ConfigEntry entry = new ConfigEntry(CLEANER_BACKOFF, millis);
    AlterConfigOp op = millis == null
        ? new AlterConfigOp(new ConfigEntry(CLEANER_BACKOFF, ""), AlterConfigOp.OpType.DELETE)
        : new AlterConfigOp(entry, AlterConfigOp.OpType.SET);
    Map<ConfigResource, Collection<AlterConfigOp>> change = Map.of(cluster, List.of(op));
    admin.incrementalAlterConfigs(change).all().get(30, TimeUnit.SECONDS);
  }
}
