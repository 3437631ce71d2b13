package io.eskafka.internal.processor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Progress of the snapshot sweeps of one application instance, per task (partition): written by
 * stream threads, read by anyone. Thread-safe.
 */
public final class RebuildTracker {

  /**
   * One task's sweep.
   *
   * @param partition the task's partition
   * @param checked snapshots looked at in the current round
   * @param rebuilt snapshots rebuilt from the index since the task started (sweep and commands)
   * @param waiting stale snapshots the last round could not rebuild yet (index behind)
   * @param approximateTotal RocksDB's estimate of the snapshots in the task
   * @param complete true once a whole round found nothing stale
   */
  public record TaskProgress(int partition, long checked, long rebuilt, long waiting,
      long approximateTotal, boolean complete) {}

  private final Map<String, TaskProgress> tasks = new ConcurrentHashMap<>();

  void report(String taskId, TaskProgress progress) {
    tasks.put(taskId, progress);
  }

  void forget(String taskId) {
    tasks.remove(taskId);
  }

  /**
   * A copy of the current progress.
   *
   * @return task id to progress, for the tasks this instance runs
   */
  public Map<String, TaskProgress> snapshot() {
    return Map.copyOf(tasks);
  }
}
