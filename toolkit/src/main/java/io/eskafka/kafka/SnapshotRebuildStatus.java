package io.eskafka.kafka;

/**
 * Progress of rebuilding snapshots written by an older logic version ({@link
 * AggregateDefinition#logicVersion()}), on one application instance. Immutable.
 *
 * <p>Every task sweeps its snapshot store once after it starts (in the background, a budget of
 * snapshots per second) and rebuilds each stale snapshot from the per-stream index; a command to a
 * stream with a stale snapshot rebuilds that stream first, whether or not the sweep got there.
 *
 * @param logicVersion the logic version snapshots are brought to
 * @param tasks tasks (partitions) this instance runs
 * @param tasksComplete tasks whose sweep found nothing left to rebuild
 * @param snapshotsChecked snapshots looked at in the current rounds
 * @param snapshotsRebuilt snapshots rebuilt so far on this instance (sweep and commands)
 * @param waitingForIndex stale snapshots not rebuilt yet because the index had not caught up with
 *     them; retried by the next round
 * @param approximateSnapshots RocksDB's estimate of the snapshots in these tasks
 */
public record SnapshotRebuildStatus(int logicVersion, int tasks, int tasksComplete,
    long snapshotsChecked, long snapshotsRebuilt, long waitingForIndex,
    long approximateSnapshots) {

  /**
   * Whether every task of this instance is done.
   *
   * @return true when no stale snapshot is left on this instance
   */
  public boolean complete() {
    return tasks > 0 && tasks == tasksComplete;
  }
}
