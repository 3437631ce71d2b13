package io.eskafka.examples;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic from the beginning, all partitions, in tests. Not thread-safe. */
final class TopicReader implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();

  TopicReader(String bootstrapServers, String topic, boolean readCommitted) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Polls until everything read so far satisfies {@code done}, or fails after {@code max}. */
  List<ConsumerRecord<byte[], byte[]>> readUntil(
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration max) {
    await().atMost(max).pollInterval(Duration.ofMillis(10)).until(() -> {
      consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
      return done.test(seen);
    });
    return List.copyOf(seen);
  }

  /** Polls until {@code count} records were read. */
  List<ConsumerRecord<byte[], byte[]>> readAtLeast(int count, Duration max) {
    return readUntil(records -> records.size() >= count, max);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
