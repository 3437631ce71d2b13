package io.eskafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eskafka.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs against the JVM-wide shared broker, so every test uses its own aggregate name. */
class TopicApplierIT {

  private static Admin admin;

  @BeforeAll
  static void connect() {
    admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.shared().bootstrapServers()));
  }

  @AfterAll
  static void disconnect() {
    admin.close();
  }

  private static AggregateTopics uniqueAggregate() {
    return AggregateTopics.of("acct-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @Test
  void createsTheFourTopicsWithTheirConfigs() {
    AggregateTopics topics = uniqueAggregate();

    TopicApplier.Result result;
    try (TopicApplier applier = new TopicApplier(EmbeddedKafka.shared().bootstrapServers())) {
      result = applier.apply(topics.specs(3, (short) 1));
    }

    assertThat(result.created()).containsExactlyElementsOf(topics.names());
    assertThat(result.existing()).isEmpty();
    // The broker's metadata may trail the controller by a moment after creation.
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(partitions(topics.names()).values()).containsOnly(3);
              Config events = config(topics.events());
              assertThat(events.get("cleanup.policy").value()).isEqualTo("compact");
              assertThat(events.get("retention.ms").value()).isEqualTo("-1");
              Config commands = config(topics.commands());
              assertThat(commands.get("cleanup.policy").value()).isEqualTo("delete");
              assertThat(commands.get("retention.ms").value()).isEqualTo("604800000");
              Config results = config(topics.commandResults());
              assertThat(results.get("cleanup.policy").value()).isEqualTo("delete");
              assertThat(results.get("retention.ms").value()).isEqualTo("86400000");
              Config dlq = config(topics.dlq());
              assertThat(dlq.get("cleanup.policy").value()).isEqualTo("delete");
              assertThat(dlq.get("retention.ms").value()).isEqualTo("2592000000");
            });
  }

  @Test
  void createdTopicsHaveALeaderForEveryPartitionWhenApplyReturns() throws Exception {
    AggregateTopics topics = uniqueAggregate();

    try (TopicApplier applier = new TopicApplier(EmbeddedKafka.shared().bootstrapServers())) {
      applier.apply(topics.specs(4, (short) 1));
    }

    // No waiting here: a producer may write the moment apply returns.
    Map<String, TopicDescription> described =
        admin.describeTopics(topics.names()).allTopicNames().get();
    assertThat(described.values())
        .allSatisfy(description -> assertThat(description.partitions())
            .hasSize(4)
            .allSatisfy(partition -> assertThat(partition.leader()).isNotNull()));
  }

  @Test
  void secondApplyIsANoOp() {
    AggregateTopics topics = uniqueAggregate();
    TopicApplier applier = new TopicApplier(admin);

    TopicApplier.Result first = applier.apply(topics.specs(2, (short) 1));
    TopicApplier.Result second = applier.apply(topics.specs(2, (short) 1));

    assertThat(first.created()).containsExactlyElementsOf(topics.names());
    assertThat(second.created()).isEmpty();
    assertThat(second.existing()).containsExactlyElementsOf(topics.names());
  }

  @Test
  void completesAPartlyExistingSet() throws Exception {
    AggregateTopics topics = uniqueAggregate();
    createTopic(topics.dlq(), 2, Map.of("cleanup.policy", "delete"));

    TopicApplier.Result result = new TopicApplier(admin).apply(topics.specs(2, (short) 1));

    assertThat(result.created())
        .containsExactly(topics.commands(), topics.events(), topics.commandResults());
    assertThat(result.existing()).containsExactly(topics.dlq());
  }

  @Test
  void refusesAnEventsTopicWithDeletePolicy() throws Exception {
    AggregateTopics topics = uniqueAggregate();
    createTopic(topics.events(), 2, Map.of("cleanup.policy", "delete", "retention.ms", "-1"));

    assertThatThrownBy(() -> new TopicApplier(admin).apply(topics.specs(2, (short) 1)))
        .isInstanceOf(TopicMismatchException.class)
        .hasMessage(
            "topic " + topics.events() + " exists with cleanup.policy=delete, expected compact");
    assertNothingElseCreated(topics, topics.events());
  }

  @Test
  void refusesAnEventsTopicWithFiniteRetention() throws Exception {
    AggregateTopics topics = uniqueAggregate();
    createTopic(topics.events(), 2, Map.of("cleanup.policy", "compact", "retention.ms", "3600000"));

    assertThatThrownBy(() -> new TopicApplier(admin).apply(topics.specs(2, (short) 1)))
        .isInstanceOf(TopicMismatchException.class)
        .hasMessage("topic " + topics.events() + " exists with retention.ms=3600000, expected -1");
  }

  @Test
  void refusesAWrongPartitionCount() throws Exception {
    AggregateTopics topics = uniqueAggregate();
    createTopic(topics.commands(), 3, Map.of("cleanup.policy", "delete"));

    assertThatThrownBy(() -> new TopicApplier(admin).apply(topics.specs(6, (short) 1)))
        .isInstanceOf(TopicMismatchException.class)
        .hasMessage("topic " + topics.commands() + " has 3 partitions, expected 6")
        .satisfies(
            e ->
                assertThat(((TopicMismatchException) e).differences())
                    .containsExactly("topic " + topics.commands() + " has 3 partitions, expected 6"));
    assertNothingElseCreated(topics, topics.commands());
  }

  @Test
  void reportsEveryDifference() throws Exception {
    AggregateTopics topics = uniqueAggregate();
    createTopic(topics.events(), 1, Map.of("cleanup.policy", "delete"));

    assertThatThrownBy(() -> new TopicApplier(admin).apply(topics.specs(4, (short) 1)))
        .isInstanceOf(TopicMismatchException.class)
        .hasMessageContaining("topic " + topics.events() + " has 1 partitions, expected 4")
        .hasMessageContaining("cleanup.policy=delete, expected compact")
        .hasMessageContaining("retention.ms=604800000, expected -1");
  }

  private static void createTopic(String name, int partitions, Map<String, String> configs)
      throws Exception {
    admin
        .createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs)))
        .all()
        .get();
    // Make sure the applier's describe sees it, as it would a long-existing topic.
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> config(name) != null);
  }

  private static void assertNothingElseCreated(AggregateTopics topics, String preExisting)
      throws Exception {
    Set<String> all = admin.listTopics().names().get();
    assertThat(topics.names().stream().filter(all::contains)).containsExactly(preExisting);
  }

  private static Map<String, Integer> partitions(List<String> names) throws Exception {
    return admin.describeTopics(names).allTopicNames().get().values().stream()
        .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
  }

  private static Config config(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get().get(resource);
  }
}
