package io.eskafka.client;

import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends commands to one aggregate type and completes a future with each command's result.
 *
 * <p>Commands go to the aggregate's command topic keyed by stream id, with the command id (and the
 * expected version, if any) in headers. One reply consumer per gateway reads the command-results
 * topic ({@code read_committed}, all partitions, from the end as of {@link #connect}) and matches
 * results to pending commands by command id. A command without a result within the timeout fails
 * with {@link CommandTimeoutException}.
 *
 * <p>Thread-safe: {@code send} may be called from any thread. Futures complete on the gateway's
 * reply thread (or its timeout thread): do not block in callbacks attached to them. Close the
 * gateway to stop its threads; pending futures then fail with {@link IllegalStateException}.
 */
public final class CommandGateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CommandGateway.class);

  private final AggregateTopics topics;
  private final AvroSerde serde;
  private final CommandResultDecoder decoder;
  private final Duration timeout;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> replies;
  private final Thread replyThread;
  private final ScheduledExecutorService timeouts;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private record Pending(String streamId, CompletableFuture<CommandResult> future,
      ScheduledFuture<?> timer) {}

  private CommandGateway(AggregateTopics topics, AvroSerde serde, GatewayOptions options) {
    this.topics = topics;
    this.serde = serde;
    this.decoder = new CommandResultDecoder(topics, serde);
    this.timeout = options.timeout();

    Map<String, Object> producerConfig = new HashMap<>();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "eskafka-gateway-" + topics.aggregate());
    producerConfig.putAll(options.kafkaOverrides());

    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
    // Results are written in the aggregate's transactions; an aborted one must never answer.
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A result becomes readable when its transaction commits; a broker-side long poll is not
    // always woken by the commit marker, so keep the wait short: it bounds the added latency.
    consumerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "eskafka-gateway-replies-" + topics.aggregate());
    consumerConfig.putAll(options.kafkaOverrides());

    KafkaProducer<String, byte[]> createdProducer = null;
    KafkaConsumer<byte[], byte[]> createdConsumer = null;
    try {
      createdProducer = new KafkaProducer<>(producerConfig, new StringSerializer(),
          new ByteArraySerializer());
      createdConsumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
      assignFromEnd(createdConsumer, topics.commandResults());
    } catch (RuntimeException e) {
      if (createdConsumer != null) {
        createdConsumer.close(Duration.ZERO);
      }
      if (createdProducer != null) {
        createdProducer.close(Duration.ZERO);
      }
      throw e;
    }
    this.producer = createdProducer;
    this.replies = createdConsumer;
    this.timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "eskafka-gateway-timeouts-" + topics.aggregate());
      t.setDaemon(true);
      return t;
    });
    this.replyThread = new Thread(this::pollReplies, "eskafka-gateway-replies-" + topics.aggregate());
    this.replyThread.setDaemon(true);
    this.replyThread.start();
  }

  /**
   * Connects a gateway to an aggregate's topics. Returns once the reply consumer is positioned, so
   * no result of a command sent afterwards can be missed.
   *
   * @param topics the aggregate's topics (commands and command-results must exist)
   * @param serde encodes commands and decodes results; the aggregate application must use the same
   *     schema registry
   * @param options connection and timeout settings
   * @return a running gateway; close it when done
   * @throws IllegalStateException when the command-results topic does not exist
   * @throws org.apache.kafka.common.KafkaException when the cluster cannot be reached
   */
  public static CommandGateway connect(AggregateTopics topics, AvroSerde serde,
      GatewayOptions options) {
    return new CommandGateway(Objects.requireNonNull(topics, "topics"),
        Objects.requireNonNull(serde, "serde"), Objects.requireNonNull(options, "options"));
  }

  /**
   * Sends a command with a fresh command id and no expected version.
   *
   * @param streamId the target stream
   * @param command the command
   * @return completes with the result, or fails with {@link CommandTimeoutException}
   */
  public CompletableFuture<CommandResult> send(String streamId, SpecificRecord command) {
    return send(CommandRequest.of(streamId, command));
  }

  /**
   * Sends a command that applies only if the stream is at {@code expectedVersion}; otherwise the
   * result is {@link CommandStatus#CONFLICT} and nothing is appended.
   *
   * @param streamId the target stream
   * @param command the command
   * @param expectedVersion the version the stream must be at (0 for a new stream)
   * @return completes with the result, or fails with {@link CommandTimeoutException}
   */
  public CompletableFuture<CommandResult> send(String streamId, SpecificRecord command,
      long expectedVersion) {
    return send(CommandRequest.of(streamId, command).expectingVersion(expectedVersion));
  }

  /**
   * Sends a fully specified command. If a command with the same id is still awaiting its result,
   * the returned future is that command's.
   *
   * @param request the command and its metadata
   * @return completes with the result, or fails with {@link CommandTimeoutException}, with the
   *     producer's exception when the command could not be written, or with {@link
   *     IllegalStateException} when the gateway closes first
   */
  public CompletableFuture<CommandResult> send(CommandRequest request) {
    byte[] value;
    try {
      value = serde.serialize(topics.commands(), request.command());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    RecordHeaders headers = new RecordHeaders();
    if (request.expectedVersion() != null) {
      headers.add(MessageHeaders.EXPECTED_VERSION,
          request.expectedVersion().toString().getBytes(StandardCharsets.UTF_8));
    }
    if (request.correlationId() != null) {
      headers.add(MessageHeaders.CORRELATION_ID,
          request.correlationId().getBytes(StandardCharsets.UTF_8));
    }
    return sendRecord(request.streamId(), request.commandId(), value, headers);
  }

  /**
   * Deletes (erases) a stream: the aggregate writes a tombstone for every event key of the stream
   * and for its snapshot, drops it from the per-stream index, and remembers the stream id as
   * deleted, all in one transaction, in order with the stream's commands. Once the event topic and
   * the snapshot changelog are compacted the stream's data is gone from those topics (see the
   * README for the timing). Later commands to the stream are {@link CommandStatus#REJECTED} with
   * the reason {@code stream <id> was deleted at <time>}.
   *
   * @param streamId the stream
   * @return completes with an {@link CommandStatus#ACCEPTED} result whose version is the number of
   *     event keys tombstoned (0 when the stream had no events or was already deleted); fails with
   *     {@link CommandTimeoutException} like a command
   */
  public CompletableFuture<CommandResult> deleteStream(String streamId) {
    Objects.requireNonNull(streamId, "streamId");
    RecordHeaders headers = new RecordHeaders();
    headers.add(MessageHeaders.CONTROL,
        MessageHeaders.CONTROL_DELETE_STREAM.getBytes(StandardCharsets.UTF_8));
    return sendRecord(streamId, UUID.randomUUID().toString(), new byte[0], headers);
  }

  private CompletableFuture<CommandResult> sendRecord(String streamId, String commandId,
      byte[] value, RecordHeaders headers) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("gateway is closed"));
    }
    CompletableFuture<CommandResult> future = new CompletableFuture<>();
    ScheduledFuture<?> timer = timeouts.schedule(() -> expire(commandId),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
    Pending mine = new Pending(streamId, future, timer);
    Pending existing = pending.putIfAbsent(commandId, mine);
    if (existing != null) {
      timer.cancel(false);
      future = existing.future();
    }
    headers.add(MessageHeaders.COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8));
    producer.send(new ProducerRecord<>(topics.commands(), null, streamId, value, headers),
        (metadata, error) -> {
          if (error != null) {
            fail(commandId, error);
          }
        });
    return future;
  }

  /** Stops the reply consumer and the producer; pending commands fail. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    replies.wakeup();
    try {
      replyThread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
    timeouts.shutdownNow();
    IllegalStateException closedError = new IllegalStateException("gateway closed before a result");
    for (String id : List.copyOf(pending.keySet())) {
      fail(id, closedError);
    }
  }

  private static void assignFromEnd(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist; create the aggregate's "
          + "topics first (TopicApplier / eskafka topics apply)");
    }
    List<TopicPartition> assigned = new ArrayList<>();
    for (PartitionInfo p : partitions) {
      assigned.add(new TopicPartition(topic, p.partition()));
    }
    consumer.assign(assigned);
    consumer.seekToEnd(assigned);
    // seekToEnd is lazy; resolving the positions now pins "the end" to before the first send.
    for (TopicPartition tp : assigned) {
      consumer.position(tp, Duration.ofSeconds(30));
    }
  }

  private void pollReplies() {
    try {
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> record : replies.poll(Duration.ofMillis(500))) {
          if (record.value() != null && !pending.isEmpty()) {
            answer(record);
          }
        }
      }
    } catch (WakeupException e) {
      // close() woke us up.
    } catch (RuntimeException e) {
      log.error("reply consumer of {} stopped; pending commands will time out",
          topics.commandResults(), e);
    } finally {
      replies.close(Duration.ofSeconds(5));
    }
  }

  private void answer(ConsumerRecord<byte[], byte[]> record) {
    String commandId = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (commandId == null || !pending.containsKey(commandId)) {
      return; // another gateway's command
    }
    CommandResult result;
    try {
      result = decoder.decode(record.value());
    } catch (RuntimeException e) {
      fail(commandId, e);
      return;
    }
    Pending done = pending.remove(commandId);
    if (done != null) {
      done.timer().cancel(false);
      done.future().complete(result);
    }
  }

  private void expire(String commandId) {
    Pending expired = pending.remove(commandId);
    if (expired != null) {
      expired.future().completeExceptionally(new CommandTimeoutException(commandId,
          expired.streamId(), topics.commandResults(), timeout));
    }
  }

  private void fail(String commandId, Throwable error) {
    Pending failed = pending.remove(commandId);
    if (failed != null) {
      failed.timer().cancel(false);
      failed.future().completeExceptionally(error);
    }
  }
}
