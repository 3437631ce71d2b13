package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandStatus;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.testing.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The demo's scenario end to end on the embedded broker. */
class DemoScenarioIT {

  @Test
  void everyOutcomeHappensAndBalancesAddUp() throws Exception {
    String bootstrap = EmbeddedKafka.shared().bootstrapServers();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Demo.Outcome outcome = Demo.run(bootstrap, Demo.bankAccount("demo-it"), "demo-it-app",
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    List<CommandResult> results = List.copyOf(outcome.results().values());
    assertThat(results).extracting(CommandResult::status).containsExactly(
        CommandStatus.ACCEPTED, CommandStatus.ACCEPTED, CommandStatus.ACCEPTED,
        CommandStatus.ACCEPTED, CommandStatus.ACCEPTED, CommandStatus.REJECTED,
        CommandStatus.CONFLICT, CommandStatus.ACCEPTED, CommandStatus.ACCEPTED);
    CommandResult original = results.get(7);
    CommandResult resent = results.get(8);
    assertThat(resent.duplicate()).isTrue();
    assertThat(resent.commandId()).isEqualTo(original.commandId());
    assertThat(resent.version()).isEqualTo(original.version());
    assertThat(resent.events()).isEqualTo(original.events());
    assertThat(outcome.deadLetterHeaders())
        .containsEntry(MessageHeaders.DLQ_REASON, "undecodable value")
        .containsEntry(MessageHeaders.DLQ_SOURCE_TOPIC, "demo-it.commands");

    assertThat(outcome.finalStates().get("acc-1").state().getBalanceCents()).isEqualTo(7_000L);
    assertThat(outcome.finalStates().get("acc-1").version()).isEqualTo(3L);
    assertThat(outcome.finalStates().get("acc-2").state().getBalanceCents()).isEqualTo(3_550L);
    assertThat(outcome.finalStates().get("acc-2").version()).isEqualTo(3L);

    // The re-sent command appended nothing: three events per account, nothing else.
    try (TopicReader events = new TopicReader(bootstrap, "demo-it.events", true)) {
      List<ConsumerRecord<byte[], byte[]>> all = events.readAtLeast(6, Duration.ofSeconds(30));
      Map<String, Long> perStream = all.stream().collect(Collectors.groupingBy(
          r -> EventKey.parse(new String(r.key(), StandardCharsets.UTF_8)).streamId(),
          Collectors.counting()));
      assertThat(perStream).containsExactlyInAnyOrderEntriesOf(Map.of("acc-1", 3L, "acc-2", 3L));
    }

    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("REJECTED", "CONFLICT", "DUPLICATE of ACCEPTED", "DLQ",
        "acc-1  owner=Ada", "balance=70.00", "balance=35.50");

    // The read models, and the replayed one rebuilt identical to the original.
    assertThat(outcome.balances()).containsExactly("acc-1  Ada  7000  3", "acc-2  Bob  3550  3");
    assertThat(outcome.dayTotals()).isNotEmpty();
    long acc2Deposits = outcome.dayTotals().stream().filter(row -> row.startsWith("acc-2 "))
        .mapToLong(row -> Long.parseLong(row.split("  ")[2])).sum();
    assertThat(acc2Deposits).isEqualTo(2L);
    assertThat(outcome.rebuiltDayTotals()).isEqualTo(outcome.dayTotals());
    assertThat(text).contains("reset to earliest", "rebuilt table equals the original");
  }
}
