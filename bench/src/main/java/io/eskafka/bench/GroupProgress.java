package io.eskafka.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures how fast a consumer group works through a backlog, from the offsets it commits. Cheap
 * (one admin request every 50 ms) so it does not compete with what it measures, and exact under
 * exactly-once: an offset is committed with the transaction that holds its outputs.
 */
final class GroupProgress implements AutoCloseable {

  /** Rate over the backlog, excluding start-up (time to the first committed offset). */
  record Rate(long records, double seconds, double startupSeconds) {
    double perSecond() {
      return records / seconds;
    }
  }

  private final Admin admin;

  GroupProgress(String bootstrap) {
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  /** End offsets of every partition of a topic. */
  Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(request).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /**
   * Waits until {@code group} has committed the end offsets of every partition.
   *
   * @param started when the application was started (for the start-up figure)
   */
  Rate await(String group, Map<TopicPartition, Long> ends, long started, Duration max)
      throws Exception {
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    long deadline = System.nanoTime() + max.toNanos();
    long firstAt = 0;
    long firstDone = 0;
    while (System.nanoTime() < deadline) {
      long done = committed(group, ends);
      long now = System.nanoTime();
      if (done > 0 && firstAt == 0) {
        firstAt = now;
        firstDone = done;
      }
      if (done >= total) {
        double seconds = firstAt == now ? 1e-9 : (now - firstAt) / 1e9;
        return new Rate(total - firstDone, seconds, (firstAt - started) / 1e9);
      }
      Thread.sleep(50);
    }
    throw new TimeoutException(group + " did not reach the end of its input within " + max
        + " (committed " + committed(group, ends) + " of " + total + ")");
  }

  private long committed(String group, Map<TopicPartition, Long> ends) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    long done = 0;
    for (TopicPartition tp : ends.keySet()) {
      OffsetAndMetadata offset = offsets.get(tp);
      if (offset != null) {
        done += Math.min(offset.offset(), ends.get(tp));
      }
    }
    return done;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
