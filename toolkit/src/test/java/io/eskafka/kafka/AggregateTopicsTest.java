package io.eskafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AggregateTopicsTest {

  @Test
  void derivesTheFourTopicNames() {
    AggregateTopics topics = AggregateTopics.of("bank-account");

    assertThat(topics.aggregate()).isEqualTo("bank-account");
    assertThat(topics.commands()).isEqualTo("bank-account.commands");
    assertThat(topics.events()).isEqualTo("bank-account.events");
    assertThat(topics.commandResults()).isEqualTo("bank-account.command-results");
    assertThat(topics.dlq()).isEqualTo("bank-account.dlq");
    assertThat(topics.names())
        .containsExactly(
            "bank-account.commands",
            "bank-account.events",
            "bank-account.command-results",
            "bank-account.dlq");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Account", "bank_account", "bank.account.v2", "a", "0-9"})
  void acceptsLegalNames(String name) {
    assertThat(AggregateTopics.of(name).events()).isEqualTo(name + ".events");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"bank account", "bank/account", "konto-ä", "a:b", "tab\there", "a*"})
  void rejectsIllegalNames(String name) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AggregateTopics.of(name))
        .withMessageContaining("aggregate name");
  }

  @Test
  void rejectsNamesTooLongForKafka() {
    String longest = "a".repeat(AggregateTopics.MAX_AGGREGATE_NAME_LENGTH);
    assertThat(AggregateTopics.of(longest).commandResults()).hasSize(249);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> AggregateTopics.of(longest + "a"))
        .withMessageContaining("at most " + AggregateTopics.MAX_AGGREGATE_NAME_LENGTH);
  }

  @Test
  void specsAreCoPartitionedWithTheStandardConfigs() {
    List<TopicSpec> specs = AggregateTopics.of("order").specs(6, (short) 3);

    assertThat(specs)
        .extracting(TopicSpec::name)
        .containsExactly("order.commands", "order.events", "order.command-results", "order.dlq");
    assertThat(specs).allSatisfy(s -> {
      assertThat(s.partitions()).isEqualTo(6);
      assertThat(s.replicationFactor()).isEqualTo((short) 3);
    });
    assertThat(specs.get(0).configs())
        .isEqualTo(Map.of("cleanup.policy", "delete", "retention.ms", "604800000"));
    assertThat(specs.get(1).configs())
        .isEqualTo(Map.of("cleanup.policy", "compact", "retention.ms", "-1"));
    assertThat(specs.get(2).configs())
        .isEqualTo(Map.of("cleanup.policy", "delete", "retention.ms", "86400000"));
    assertThat(specs.get(3).configs())
        .isEqualTo(Map.of("cleanup.policy", "delete", "retention.ms", "2592000000"));
  }

  @Test
  void specsRejectZeroPartitions() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AggregateTopics.of("order").specs(0, (short) 1))
        .withMessageContaining("partitions");
  }
}
