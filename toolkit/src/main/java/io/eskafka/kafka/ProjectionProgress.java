package io.eskafka.kafka;

import java.time.Duration;
import java.util.Optional;

/**
 * How far a {@link ProjectionRunner} instance is, as of its last batch. Immutable snapshot.
 *
 * <p>A runner <em>replays</em> after it rebuilt its read model and when it starts with a backlog:
 * it captures the end offsets of its partitions at that moment and replays until it reaches them.
 * "Events" are offsets, so events skipped by the type filter and Kafka's transaction markers count
 * too.
 *
 * @param replaying whether a replay is in progress
 * @param eventsDone offsets consumed since the replay began (the last one's, once it is over)
 * @param eventsTotal offsets the replay had to consume; 0 when there was none
 * @param eventsPerSecond average rate since the replay began; 0 when there was none
 * @param eta time left at that rate; empty when not replaying or no rate is known yet
 * @param skippedUndecodable events skipped under {@link UndecodableEventPolicy#SKIP} since start
 * @param failedAttempts consecutive failed attempts of the current batch; 0 when healthy
 */
public record ProjectionProgress(
    boolean replaying,
    long eventsDone,
    long eventsTotal,
    double eventsPerSecond,
    Optional<Duration> eta,
    long skippedUndecodable,
    int failedAttempts) {

  /**
   * For logs: {@code 4500/10000 events (45%), 1200 events/s, ETA 5s}.
   *
   * @return a one-line summary
   */
  public String describe() {
    long percent = eventsTotal == 0 ? 100 : eventsDone * 100 / eventsTotal;
    return String.format("%d/%d events (%d%%), %.0f events/s%s", eventsDone, eventsTotal, percent,
        eventsPerSecond, eta.map(d -> ", ETA " + d.toSeconds() + "s").orElse(""));
  }
}
