package io.eskafka.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Kafka's own read limit: a plain consumer reading a topic from the start to its end. */
final class RawConsumer {

  /**
   * What one read of a topic saw.
   *
   * @param records records read (transaction markers are not records)
   * @param perSecond read rate
   * @param nextOffsets per partition, the offset after its last record: what a consumer group that
   *     has processed every record commits (the end offset can be one higher, past a transaction
   *     marker)
   */
  record Read(long records, double perSecond, Map<TopicPartition, Long> nextOffsets) {}

  private RawConsumer() {}

  /** Reads {@code topic} from its beginning to its current end, {@code read_committed}. */
  static Read readToEnd(String bootstrap, String topic, int partitions) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      // Under read_committed the end offsets are the last stable offsets: nothing in flight.
      Map<TopicPartition, Long> ends = consumer.endOffsets(all);
      Map<TopicPartition, Long> next = new HashMap<>();
      long read = 0;
      long start = System.nanoTime();
      while (!reached(consumer, ends)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
          read++;
        }
      }
      return new Read(read, read / ((System.nanoTime() - start) / 1e9), Map.copyOf(next));
    }
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }
}
