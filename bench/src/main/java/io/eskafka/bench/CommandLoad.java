package io.eskafka.bench;

import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The command backlog both throughput workloads read: every account opened once, then deposits
 * round-robin over the accounts, each with its own command id, as the gateway would send them.
 */
final class CommandLoad {

  private CommandLoad() {}

  /** Account id of account number {@code n}. */
  static String account(int n) {
    return String.format("acc-%07d", n);
  }

  /** How many commands account {@code n} receives in a load of {@code commands}. */
  static long commandsFor(int n, int commands, int accounts) {
    long deposits = commands - accounts;
    return 1 + deposits / accounts + (n < deposits % accounts ? 1 : 0);
  }

  /** Cents deposited by deposit number {@code i}: varies so that balances check the sums. */
  static long amount(long i) {
    return 1 + (i % 7);
  }

  /** Expected balance of account {@code n} after the whole load. */
  static long balanceFor(int n, int commands, int accounts) {
    long total = 0;
    for (long i = n; i < commands - accounts; i += accounts) {
      total += amount(i);
    }
    return total;
  }

  /**
   * Produces the backlog as fast as the producer allows and returns the rate.
   *
   * @return records per second
   */
  static double produce(String bootstrap, String topic, AvroSerde serde, int commands,
      int accounts) throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      // Encoded once per distinct payload: the benchmark measures Kafka and the toolkit, not this.
      byte[][] deposits = new byte[7][];
      for (int a = 0; a < 7; a++) {
        deposits[a] = serde.serialize(topic, new Deposit(amount(a)));
      }
      for (int i = 0; i < commands; i++) {
        String stream;
        byte[] value;
        if (i < accounts) {
          stream = account(i);
          value = serde.serialize(topic, new OpenAccount("owner-" + i));
        } else {
          long d = i - accounts;
          stream = account((int) (d % accounts));
          value = deposits[(int) (d % 7)];
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, stream, value);
        record.headers().add(MessageHeaders.COMMAND_ID,
            ("bench-" + i).getBytes(StandardCharsets.UTF_8));
        producer.send(record, (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          }
        });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return commands / ((System.nanoTime() - start) / 1e9);
  }
}
