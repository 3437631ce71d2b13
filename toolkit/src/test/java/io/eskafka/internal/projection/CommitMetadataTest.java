package io.eskafka.internal.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.internal.projection.CommitMetadata.ByOther;
import io.eskafka.internal.projection.CommitMetadata.ByRunner;
import io.eskafka.internal.projection.CommitMetadata.RunnerState;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommitMetadataTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  @Test
  void theRunnersMarkerCarriesItsStateAndError() {
    assertThat(CommitMetadata.decode(CommitMetadata.runner(RunnerState.RUNNING, null)))
        .isEqualTo(new ByRunner(RunnerState.RUNNING, ""));
    assertThat(CommitMetadata.decode(CommitMetadata.runner(RunnerState.PARKED,
        "handler failed at t-0@3:\nboom")))
        .isEqualTo(new ByRunner(RunnerState.PARKED, "handler failed at t-0@3: boom"));
  }

  @Test
  void aLongErrorIsCutWellBelowKafkasMetadataLimit() {
    String error = "é".repeat(5_000);
    String metadata = CommitMetadata.runner(RunnerState.PARKED, error);
    assertThat(metadata.getBytes(StandardCharsets.UTF_8).length).isLessThan(4096);
    assertThat(((ByRunner) CommitMetadata.decode(metadata)).error())
        .hasSize(CommitMetadata.MAX_ERROR_CHARS).endsWith("…");
  }

  @Test
  void anythingElseIsAReset() {
    assertThat(CommitMetadata.decode("")).isEqualTo(new ByOther(false, ""));
    assertThat(CommitMetadata.decode(null)).isEqualTo(new ByOther(false, ""));
    assertThat(CommitMetadata.decode(CommitMetadata.reset("id-1", "earliest")))
        .isEqualTo(new ByOther(true, "id-1 earliest"));
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(P0, new OffsetAndMetadata(5, CommitMetadata.runner(RunnerState.RUNNING, null)));
    committed.put(P1, null);
    assertThat(CommitMetadata.containsReset(committed)).isFalse();
    committed.put(P1, new OffsetAndMetadata(0, ""));
    assertThat(CommitMetadata.containsReset(committed)).isTrue();
  }

  @Test
  void theFingerprintDependsOnOffsetsAndMetadataNotOnOrder() {
    Map<TopicPartition, OffsetAndMetadata> a = new HashMap<>();
    a.put(P0, new OffsetAndMetadata(0, ""));
    a.put(P1, new OffsetAndMetadata(7, ""));
    Map<TopicPartition, OffsetAndMetadata> b = new java.util.LinkedHashMap<>();
    b.put(P1, new OffsetAndMetadata(7, ""));
    b.put(P0, new OffsetAndMetadata(0, ""));
    assertThat(CommitMetadata.fingerprint(a)).isEqualTo(CommitMetadata.fingerprint(b)).hasSize(64);
    b.put(P0, new OffsetAndMetadata(1, ""));
    assertThat(CommitMetadata.fingerprint(a)).isNotEqualTo(CommitMetadata.fingerprint(b));
    b.put(P0, new OffsetAndMetadata(0, CommitMetadata.reset("x", "earliest")));
    assertThat(CommitMetadata.fingerprint(a)).isNotEqualTo(CommitMetadata.fingerprint(b));
  }
}
