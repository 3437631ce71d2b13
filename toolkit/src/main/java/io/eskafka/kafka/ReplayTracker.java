package io.eskafka.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * A runner's replay: the end offsets captured when it began, and how far each partition is.
 * Used only on the runner's thread.
 */
final class ReplayTracker {

  /** Where a partition started, where the replay ends for it, and where it is. */
  private static final class Span {
    final long start;
    final long target;
    long position;

    Span(long start, long target) {
      this.start = start;
      this.target = Math.max(start, target);
      this.position = start;
    }
  }

  private final Map<TopicPartition, Span> spans = new HashMap<>();
  /** Done by partitions that left this instance during the replay. */
  private long doneElsewhere;
  private long totalElsewhere;
  private boolean active;
  private long startedNanos;
  private long endedNanos;

  /**
   * Begins a replay of the given partitions from their positions to their end offsets.
   *
   * @return whether there is anything to replay
   */
  boolean begin(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> ends,
      long nowNanos) {
    spans.clear();
    doneElsewhere = 0;
    totalElsewhere = 0;
    positions.forEach((partition, position) ->
        spans.put(partition, new Span(position, ends.getOrDefault(partition, position))));
    startedNanos = nowNanos;
    active = total() > 0;
    if (!active) {
      spans.clear();
    }
    return active;
  }

  /** A partition assigned to this instance during the replay joins it. */
  void add(TopicPartition partition, long position, long end) {
    if (active) {
      spans.put(partition, new Span(position, end));
    }
  }

  /** Partitions that left this instance: their work so far still counts. */
  void remove(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      Span span = spans.remove(partition);
      if (span != null) {
        doneElsewhere += Math.min(span.position, span.target) - span.start;
        totalElsewhere += Math.min(span.position, span.target) - span.start;
      }
    }
  }

  void update(TopicPartition partition, long position) {
    Span span = spans.get(partition);
    if (span != null) {
      span.position = position;
    }
  }

  Collection<TopicPartition> partitions() {
    return spans.keySet();
  }

  boolean active() {
    return active;
  }

  /**
   * Ends the replay when every partition reached its target.
   *
   * @return {@code true} when it ended just now
   */
  boolean finishIfDone(long nowNanos) {
    if (!active) {
      return false;
    }
    for (Span span : spans.values()) {
      if (span.position < span.target) {
        return false;
      }
    }
    active = false;
    endedNanos = nowNanos;
    return true;
  }

  long done() {
    long done = doneElsewhere;
    for (Span span : spans.values()) {
      done += Math.min(span.position, span.target) - span.start;
    }
    return done;
  }

  long total() {
    long total = totalElsewhere;
    for (Span span : spans.values()) {
      total += span.target - span.start;
    }
    return total;
  }

  /** Seconds since the replay began (until it ended, once it has). */
  double elapsedSeconds(long nowNanos) {
    return ((active ? nowNanos : endedNanos) - startedNanos) / 1e9;
  }

  ProjectionProgress snapshot(long skipped, int failedAttempts, long nowNanos) {
    long done = done();
    long total = total();
    double seconds = elapsedSeconds(nowNanos);
    double rate = seconds > 0 ? done / seconds : 0;
    Optional<Duration> eta = active && rate > 0
        ? Optional.of(Duration.ofMillis((long) ((total - done) / rate * 1000)))
        : Optional.empty();
    return new ProjectionProgress(active, done, total, rate, eta, skipped, failedAttempts);
  }
}
