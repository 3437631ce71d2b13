package io.eskafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReplayTrackerTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final long SECOND = 1_000_000_000L;

  @Test
  void countsDoneAndTotalWithRateAndEtaUntilEveryPartitionReachesItsEnd() {
    ReplayTracker replay = new ReplayTracker();
    assertThat(replay.begin(Map.of(P0, 0L, P1, 10L), Map.of(P0, 100L, P1, 110L), 0)).isTrue();
    replay.update(P0, 50);
    replay.update(P1, 60);
    ProjectionProgress progress = replay.snapshot(0, 0, 2 * SECOND);
    assertThat(progress.replaying()).isTrue();
    assertThat(progress.eventsDone()).isEqualTo(100);
    assertThat(progress.eventsTotal()).isEqualTo(200);
    assertThat(progress.eventsPerSecond()).isEqualTo(50.0);
    assertThat(progress.eta()).contains(Duration.ofSeconds(2));
    assertThat(progress.describe()).isEqualTo("100/200 events (50%), 50 events/s, ETA 2s");
    assertThat(replay.finishIfDone(2 * SECOND)).isFalse();

    replay.update(P0, 100);
    replay.update(P1, 111);
    assertThat(replay.finishIfDone(4 * SECOND)).isTrue();
    ProjectionProgress done = replay.snapshot(0, 0, 9 * SECOND);
    assertThat(done.replaying()).isFalse();
    assertThat(done.eventsDone()).isEqualTo(200);
    assertThat(done.eventsPerSecond()).isEqualTo(50.0);
    assertThat(done.eta()).isEmpty();
  }

  @Test
  void nothingToReplayIsNoReplayAndPartitionsLeavingKeepTheirWork() {
    ReplayTracker replay = new ReplayTracker();
    assertThat(replay.begin(Map.of(P0, 5L), Map.of(P0, 5L), 0)).isFalse();
    assertThat(replay.active()).isFalse();

    assertThat(replay.begin(Map.of(P0, 0L), Map.of(P0, 10L), 0)).isTrue();
    replay.update(P0, 4);
    replay.remove(List.of(P0));
    replay.add(P1, 0, 6);
    assertThat(replay.done()).isEqualTo(4);
    assertThat(replay.total()).isEqualTo(10);
  }
}
