package io.eskafka.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class EmbeddedKafkaIT {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaIT.class);

  @Test
  void startsWithDefaultsServesRecordsAndDeletesItsTempDirOnClose() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    try {
      LOG.info("private broker (defaults) started in {} ms", kafka.startupDuration().toMillis());
      assertThat(kafka.dataDirectory()).isDirectory();
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());

      String topic = "embedded-" + UUID.randomUUID();
      createTopic(kafka, topic);
      produce(kafka, topic, "k1", "hello");
      assertThat(consumeAll(kafka, topic, 1)).containsExactly("k1=hello");
    } finally {
      kafka.close();
    }
    assertThat(kafka.dataDirectory()).doesNotExist();

    kafka.close(); // idempotent
    assertThat(kafka.dataDirectory()).doesNotExist();
  }

  @Test
  void persistentDirectoryKeepsDataAcrossRestarts(@TempDir Path dir) throws Exception {
    EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults().withDataDirectory(dir);
    String topic = "persistent-" + UUID.randomUUID();

    try (EmbeddedKafka first = EmbeddedKafka.start(options)) {
      LOG.info("private broker (new persistent dir) started in {} ms", first.startupDuration().toMillis());
      createTopic(first, topic);
      produce(first, topic, "k1", "survives");
    }
    assertThat(dir.resolve("data").resolve("meta.properties")).exists();

    try (EmbeddedKafka second = EmbeddedKafka.start(options)) {
      LOG.info("private broker (restart on same dir) started in {} ms", second.startupDuration().toMillis());
      assertThat(consumeAll(second, topic, 1)).containsExactly("k1=survives");
    }
    assertThat(dir).isDirectory();
  }

  @Test
  void honoursAFixedPort() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withPort(port))) {
      LOG.info("private broker (fixed port) started in {} ms", kafka.startupDuration().toMillis());
      assertThat(kafka.port()).isEqualTo(port);
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      try (Admin admin = admin(kafka)) {
        assertThat(admin.describeCluster().nodes().get()).extracting(Node::port).containsExactly(port);
      }
    }
  }

  @Test
  void sharedBrokerIsOnePerJvmAndIgnoresClose() throws Exception {
    EmbeddedKafka shared = EmbeddedKafka.shared();
    LOG.info("shared broker started in {} ms", shared.startupDuration().toMillis());
    shared.close();
    assertThat(EmbeddedKafka.shared()).isSameAs(shared);
    assertThat(shared.isShared()).isTrue();
    try (Admin admin = admin(shared)) {
      assertThat(admin.describeCluster().nodes().get()).hasSize(1);
    }
  }

  @Test
  void presetsSingleNodeSettings() throws Exception {
    ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
    try (Admin admin = admin(EmbeddedKafka.shared())) {
      Map<String, String> configs =
          admin.describeConfigs(List.of(broker)).all().get().get(broker).entries().stream()
              .filter(e -> e.value() != null)
              .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
      assertThat(configs)
          .containsEntry("auto.create.topics.enable", "false")
          .containsEntry("offsets.topic.replication.factor", "1")
          .containsEntry("transaction.state.log.replication.factor", "1")
          .containsEntry("transaction.state.log.min.isr", "1")
          .containsEntry("group.initial.rebalance.delay.ms", "0")
          .containsEntry("num.partitions", "1");
    }
  }

  static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static void createTopic(EmbeddedKafka kafka, String topic) throws Exception {
    try (Admin admin = admin(kafka)) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
    }
  }

  private static void produce(EmbeddedKafka kafka, String topic, String key, String value)
      throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  private static List<String> consumeAll(EmbeddedKafka kafka, String topic, int expected) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                  seen.add(r.key() + "=" + r.value());
                }
                return seen.size() >= expected;
              });
    }
    return seen;
  }
}
