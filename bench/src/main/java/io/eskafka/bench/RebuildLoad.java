package io.eskafka.bench;

import io.eskafka.examples.bank.BankAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.SnapshotRebuildStatus;
import io.eskafka.kafka.serde.AvroSerde;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * A logic-version bump on the benchmark's aggregate: the application restarts with logic version
 * 2, restores its stores, then rebuilds every snapshot from the per-stream index in its background
 * sweep (no commands arrive meanwhile). Kafka Streams reports RUNNING while its state updater is
 * still restoring, and a task's sweep starts once that task is restored, so the rebuild is timed
 * from the end of the last store's restoration to the last task's sweep complete; the time from
 * start to then is the restore.
 */
final class RebuildLoad {

  private static final Duration MAX_WAIT = Duration.ofMinutes(30);

  /**
   * @param events events replayed (every stream's, once)
   * @param snapshots snapshots rebuilt
   * @param restoreSeconds start to the last store restored (snapshots, dedupe memory, index)
   * @param rebuildSeconds from then to every task's sweep complete (sweeps of tasks restored
   *     earlier may have begun before; the rate is then an upper bound, flagged by {@code overlap})
   * @param overlap whether some snapshots were rebuilt before the last store was restored
   */
  record Outcome(long events, long snapshots, double restoreSeconds, double rebuildSeconds,
      boolean overlap) {
    double eventsPerSecond() {
      return events / rebuildSeconds;
    }
  }

  private RebuildLoad() {}

  static Outcome measure(String name, AvroSerde serde, AppOptions options, long events)
      throws Exception {
    AggregateDefinition<BankAccountState> bumped =
        new AggregateDefinition<>(name, BankAccount.decider(), 2);
    long started = System.nanoTime();
    RestoreWatch restores = new RestoreWatch();
    AggregateApp<BankAccountState> created = AggregateApp.create(bumped, serde, options);
    created.kafkaStreams().setGlobalStateRestoreListener(restores);
    try (AggregateApp<BankAccountState> app = created.start().awaitRunning(MAX_WAIT)) {
      long deadline = System.nanoTime() + MAX_WAIT.toNanos();
      SnapshotRebuildStatus atRestored = null;
      SnapshotRebuildStatus status = app.snapshotRebuildStatus();
      long restored = 0;
      while (!status.complete() || atRestored == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("snapshot rebuild not complete within " + MAX_WAIT
              + ": " + status);
        }
        // Nothing to restore (empty changelogs) counts as restored at once.
        if (atRestored == null && (restores.idle() || status.complete() && restores.none())) {
          restored = Math.max(restores.lastEnd(), started);
          atRestored = status;
        }
        if (!status.complete() || atRestored == null) {
          Thread.sleep(20);
          status = app.snapshotRebuildStatus();
        }
      }
      long done = System.nanoTime();
      if (status.snapshotsRebuilt() == 0) {
        throw new IllegalStateException("the logic-version bump rebuilt nothing: " + status);
      }
      return new Outcome(events, status.snapshotsRebuilt(), (restored - started) / 1e9,
          Math.max(done - restored, 1_000_000) / 1e9, atRestored.snapshotsRebuilt() > 0);
    }
  }

  /** Counts store partitions being restored; remembers when the last one finished. */
  private static final class RestoreWatch implements StateRestoreListener {
    private final AtomicInteger restoring = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicLong lastEnd = new AtomicLong();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
      started.incrementAndGet();
      restoring.incrementAndGet();
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEnd,
        long restored) {}

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long restored) {
      lastEnd.set(System.nanoTime());
      restoring.decrementAndGet();
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long restored) {
      lastEnd.set(System.nanoTime());
      restoring.decrementAndGet();
    }

    /** Whether restoration began and nothing is being restored now. */
    boolean idle() {
      return started.get() > 0 && restoring.get() == 0;
    }

    boolean none() {
      return started.get() == 0;
    }

    long lastEnd() {
      return lastEnd.get();
    }
  }
}
