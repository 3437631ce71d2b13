package io.eskafka.bench;

import io.eskafka.examples.bank.BankAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.SnapshotRebuildStatus;
import io.eskafka.kafka.serde.AvroSerde;
import java.time.Duration;

/**
 * A logic-version bump on the benchmark's aggregate: the application restarts with logic version
 * 2, restores its stores, then rebuilds every snapshot from the per-stream index in its background
 * sweep (no commands arrive meanwhile). Measured from RUNNING to the last task's sweep complete.
 */
final class RebuildLoad {

  private static final Duration MAX_WAIT = Duration.ofMinutes(30);

  /**
   * @param events events replayed (every stream's, once)
   * @param snapshots snapshots rebuilt
   * @param restoreSeconds start to RUNNING (stores restored from changelogs and the event topic)
   * @param rebuildSeconds RUNNING to every task's sweep complete
   */
  record Outcome(long events, long snapshots, double restoreSeconds, double rebuildSeconds) {
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
    try (AggregateApp<BankAccountState> app =
        AggregateApp.create(bumped, serde, options).start().awaitRunning(MAX_WAIT)) {
      long running = System.nanoTime();
      long deadline = running + MAX_WAIT.toNanos();
      SnapshotRebuildStatus status = app.snapshotRebuildStatus();
      while (!status.complete()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("snapshot rebuild not complete within " + MAX_WAIT
              + ": " + status);
        }
        Thread.sleep(20);
        status = app.snapshotRebuildStatus();
      }
      long done = System.nanoTime();
      if (status.snapshotsRebuilt() == 0) {
        throw new IllegalStateException("the logic-version bump rebuilt nothing: " + status);
      }
      return new Outcome(events, status.snapshotsRebuilt(), (running - started) / 1e9,
          (done - running) / 1e9);
    }
  }
}
