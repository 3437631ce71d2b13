package io.eskafka.bench;

import io.eskafka.internal.DirectoryTree;
import io.eskafka.kafka.AppOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Kafka's own round trip under exactly-once: records sent at a fixed rate (the gateway's producer
 * settings) through the {@link PassthroughApp} with a given commit interval and read back by a
 * {@code read_committed} consumer (the gateway's fetch settings). What no exactly-once Kafka
 * Streams application can beat on this machine at that rate; the aggregate's round trip is compared
 * with it. Latency is measured from each record's due time, as in {@link GatewayLoad#fixedRate}.
 */
final class PassthroughLatency {

  /** Latencies in microseconds; {@code cpuBusy} the machine's CPU use (0..1). */
  record Outcome(long received, long sent, Histogram latency, double cpuBusy) {
    double percentileMillis(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  private static final int VALUE_BYTES = 80; // about a command's size

  private PassthroughLatency() {}

  /**
   * Runs the passthrough between {@code input} and {@code output} (both with {@code partitions}
   * partitions, empty or not) and sends {@code perSecond} records for {@code duration}.
   */
  static Outcome measure(String bootstrap, String input, String output, int partitions,
      AppOptions options, double perSecond, Duration duration) throws Exception {
    Path stateDir = Files.createTempDirectory("eskafka-bench-latency-");
    try (KafkaStreams streams = PassthroughApp.create(input, output, options, stateDir)) {
      streams.start();
      awaitRunning(streams, Duration.ofMinutes(2));
      // Warm-up (first transactions, metadata, JIT), not measured: the aggregate it is compared
      // with has been running for minutes.
      sendAndReceive(bootstrap, input, output, partitions, perSecond, Duration.ofSeconds(3));
      return sendAndReceive(bootstrap, input, output, partitions, perSecond, duration);
    } finally {
      DirectoryTree.deleteQuietly(stateDir);
    }
  }

  private static Outcome sendAndReceive(String bootstrap, String input, String output,
      int partitions, double perSecond, Duration duration) throws Exception {
    int count = (int) (perSecond * duration.toSeconds());
    long interval = (long) (1e9 / perSecond);
    // Record i is due at start + i * interval: the receiver computes it from the index it reads.
    long start = System.nanoTime() + Duration.ofMillis(100).toNanos();
    Histogram latency = new Histogram(3);
    AtomicLong received = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrap),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> assigned = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        assigned.add(new TopicPartition(output, p));
      }
      consumer.assign(assigned);
      consumer.seekToEnd(assigned);
      assigned.forEach(consumer::position); // resolve "end" before the first record is sent
      Thread receiver = new Thread(() -> {
        long deadline = System.nanoTime() + duration.toNanos() + Duration.ofMinutes(2).toNanos();
        while (received.get() < count && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
            int i = ByteBuffer.wrap(record.value()).getInt();
            latency.recordValue(Math.max(0, (System.nanoTime() - (start + i * interval)) / 1000));
            received.incrementAndGet();
          }
        }
      }, "bench-latency-receiver");
      CpuTime cpu = CpuTime.read();
      receiver.start();
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
          producerConfig(bootstrap), new StringSerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < count; i++) {
          long wait = start + i * interval - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          byte[] value = ByteBuffer.allocate(VALUE_BYTES).putInt(i).array();
          String key = CommandLoad.account(ThreadLocalRandom.current().nextInt(10_000));
          producer.send(new ProducerRecord<>(input, key, value), (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
          });
        }
        producer.flush();
      }
      receiver.join();
      if (failure.get() != null) {
        throw failure.get();
      }
      return new Outcome(received.get(), count, latency, CpuTime.busySince(cpu));
    }
  }

  private static Map<String, Object> producerConfig(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    return config;
  }

  private static Map<String, Object> consumerConfig(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    return config;
  }

  private static void awaitRunning(KafkaStreams streams, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("passthrough not RUNNING within " + max + ": " + streams.state());
      }
      Thread.sleep(50);
    }
  }
}
