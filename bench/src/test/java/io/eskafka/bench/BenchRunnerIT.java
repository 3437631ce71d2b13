package io.eskafka.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.testing.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark runner working: every workload runs at toy scale and the final states it
 * verifies are right. Measures nothing: figures at this scale mean nothing.
 */
class BenchRunnerIT {

  @Test
  void everyWorkloadRunsAndProducesARow() throws Exception {
    String bootstrap = EmbeddedKafka.shared().bootstrapServers();
    BenchOptions options = BenchOptions.parse(new String[] {"--bootstrap", bootstrap,
        "--commands", "3000", "--accounts", "100", "--partitions", "2", "--threads", "1",
        "--load-seconds", "2", "--in-flight", "16", "--low-latency-commit-ms", "50",
        "--warmup-commands", "500"});
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    List<String[]> rows = BenchMain.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(rows).extracting(row -> row[0]).containsExactly(
        "Kafka producer, acks=all, idempotent (limit)",
        "Kafka consumer, read_committed (limit)",
        "Baseline: Streams EOS passthrough + RocksDB store",
        "Aggregate's Kafka work without the toolkit: command read, snapshot get and changelogged "
            + "put, event and result written, event and its command id written into an index, "
            + "event read back",
        "... the same with an index changelog of its own instead of the event topic read back "
            + "(a second copy of every event in Kafka)",
        "... the same without the event read-back and index (nor command-id memory)",
        "Aggregate, command backlog (open loop)",
        "Aggregate via gateway, 16 in flight (closed loop)",
        rows.get(8)[0],
        "Aggregate via gateway, 16 in flight, 50 ms commits",
        rows.get(10)[0],
        rows.get(11)[0],
        "Kafka alone, same rate (half load), same commits: producer -> EOS passthrough -> "
            + "read_committed consumer: p50 / p99 / p99.9",
        "Kafka alone, same rate (quarter load), same commits: producer -> EOS passthrough -> "
            + "read_committed consumer: p50 / p99 / p99.9",
        rows.get(14)[0],
        "Projection replay: account balances, JDBC exactly-once, H2, batches of 500",
        "... its statements alone: one per event on H2 in memory, transactions of 500, no Kafka",
        "Projection replay: at-least-once, counting handler, batches of 500",
        "Read one stream of 1000 events (local index), right after the backlog: p50 / p99",
        "State at v500 of that stream (replay), right after the backlog: p50 / p99",
        "Read one stream of 1000 events (local index), machine settled: p50 / p99",
        "State at v500 of that stream (replay), machine settled: p50 / p99",
        rows.get(22)[0],
        "Memory after the backlog (app JVM; broker in its own JVM)",
        "Start-up to first commit: baseline / aggregate");
    assertThat(rows.get(6)[2]).matches(
        "[0-9.]+ of baseline \\(target >= 0.5\\); [0-9.]+ of its Kafka work alone");
    assertThat(rows.get(8)[0]).matches(
        "Round trip at \\d+ commands/s \\(half load\\), 100 ms commits: p50 / p99 / p99.9");
    assertThat(rows.get(10)[0]).matches(
        "Round trip at \\d+ commands/s \\(half load\\), 50 ms commits: p50 / p99 / p99.9");
    assertThat(rows.get(11)[0]).matches(
        "Round trip at \\d+ commands/s \\(quarter load\\), 50 ms commits: p50 / p99 / p99.9");
    assertThat(rows.get(8)[1]).matches(
        "[0-9.]+ / [0-9.]+ / [0-9.]+ ms \\(p99 to the decision \\d+ ms, after it \\d+ ms; CPU .* busy\\)");
    // Every record sent through Kafka alone came back: the floor is measured on all of them.
    assertThat(rows.get(12)[1]).matches("[0-9.]+ / [0-9.]+ / [0-9.]+ ms \\(CPU .* busy\\)");
    assertThat(rows.get(13)[1]).matches("[0-9.]+ / [0-9.]+ / [0-9.]+ ms \\(CPU .* busy\\)");
    assertThat(rows.get(22)[0]).matches(
        "Snapshot rebuild after a logic-version bump \\(\\d+ snapshots\\)");
    assertThat(rows.get(14)[0]).matches("Kafka consumer, read_committed, \\d+ events \\(limit\\)");
    assertThat(rows).allSatisfy(row -> assertThat(row[1]).doesNotContain("failed"));
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("verified final versions and balances of a sample of accounts", "| workload |",
            "replaying", "JIT warm-up: every workload once on 500 commands of its own, unmeasured");
  }

  @Test
  void badOptionsAreRefusedNamingTheOption() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BenchOptions.parse(new String[] {"--commands", "ten"}))
        .hasMessageContaining("--commands: 'ten' is not a number");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BenchOptions.parse(new String[] {"--commands", "10", "--accounts", "20"}))
        .hasMessageContaining("--commands (10) must exceed --accounts (20)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BenchOptions.parse(new String[] {"--kafka-config", "linger.ms"}))
        .hasMessageContaining("--kafka-config: 'linger.ms' is not key=value");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BenchOptions.parse(new String[] {"--shape-variants", "no"}))
        .hasMessageContaining("--shape-variants: 'no' is not true or false");
    assertThat(BenchOptions.parse(new String[] {"--shape-variants", "false"}).shapeVariants())
        .isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BenchOptions.parse(new String[] {"--warmup-commands", "5"}))
        .hasMessageContaining("--warmup-commands must be 0 (no warm-up) or at least 10, got 5");
    assertThat(BenchOptions.parse(new String[] {"--warmup-commands", "0"}).warmupCommands())
        .isZero();
    assertThat(BenchOptions.parse(new String[0]).warmupCommands()).isEqualTo(500_000);
  }

  @Test
  void kafkaConfigIsParsedIntoPairs() {
    BenchOptions options = BenchOptions.parse(
        new String[] {"--kafka-config", "producer.linger.ms=5, poll.ms=10"});
    assertThat(options.kafkaConfig())
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("producer.linger.ms", "5",
            "poll.ms", "10"));
  }
}
