package io.eskafka.internal.processor;

import io.eskafka.decider.Decision;
import io.eskafka.decider.TypedDecider;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.EventKey;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.SchemaRegistryException;
import io.eskafka.internal.ByteBuffers;
import io.eskafka.internal.avro.CommandResultRecord;
import io.eskafka.internal.avro.ResultEvent;
import io.eskafka.internal.avro.ResultStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of one aggregate type: command in, decide against the snapshot, events out, new
 * snapshot, result out. Runs inside a Kafka Streams task with exactly-once, so the events, the
 * snapshot (through its changelog), the remembered result, the result record and the input offset
 * commit in one transaction.
 *
 * <p>Nothing that a record contains may kill the stream thread: every way a record can be bad
 * (null key, undecodable value, unknown type, bad header, a decider that throws) ends in the
 * dead-letter topic, plus a FAILED result when the sender can be told.
 */
final class CommandProcessor<S extends SpecificRecord>
    implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);

  private final AggregateDefinition<S> aggregate;
  private final TypedDecider<SpecificRecord, SpecificRecord, S> decider;
  private final AvroSerde serde;
  private final AggregateNodes nodes;
  private final Duration dedupeWindow;

  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, byte[]> snapshots;
  private WindowStore<String, byte[]> results;
  private CommandIdFilter seenIds;
  private SnapshotCodec snapshotCodec;

  CommandProcessor(AggregateDefinition<S> aggregate, AvroSerde serde, AggregateNodes nodes,
      Duration dedupeWindow) {
    this.aggregate = aggregate;
    this.decider = aggregate.decider();
    this.serde = serde;
    this.nodes = nodes;
    this.dedupeWindow = dedupeWindow;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.snapshots = context.getStateStore(nodes.snapshotStore());
    this.results = context.getStateStore(nodes.commandIdStore());
    // init() runs whenever the store may have changed under us (restored, migrated, reset after an
    // aborted transaction), so this is where the filter is rebuilt from the store's contents.
    this.seenIds = rebuildFilter(0);
    // Snapshot values are encoded against the changelog topic's subjects: it is where they live.
    this.snapshotCodec = new SnapshotCodec(serde,
        nodes.changelogTopic(context.applicationId(), nodes.snapshotStore()));
  }

  @Override
  public void process(Record<byte[], byte[]> command) {
    String commandId = header(command.headers(), MessageHeaders.COMMAND_ID);
    if (command.key() == null) {
      deadLetter(command, "null key: commands must be keyed by stream id", null, commandId, null);
      return;
    }
    String streamId = new String(command.key(), StandardCharsets.UTF_8);
    if (commandId != null) {
      byte[] earlier = seenIds.mightContain(commandId) ? rememberedResult(commandId) : null;
      if (earlier != null) {
        answerDuplicate(commandId, earlier);
        return;
      }
    } else {
      // Without an id nobody waits for the answer; a position-derived id still keys the result.
      commandId = sourcePosition();
    }

    SpecificRecord payload;
    try {
      payload = serde.deserialize(nodes.topics().commands(), command.value());
    } catch (RuntimeException e) {
      failTaskIfTransient(e);
      deadLetter(command, "undecodable value", e, commandId, streamId);
      return;
    }
    if (!decider.commandTypes().contains(payload.getClass())) {
      deadLetter(command, "unknown command type " + payload.getSchema().getFullName()
          + " for aggregate " + aggregate.name(), null, commandId, streamId);
      return;
    }
    Long expectedVersion;
    try {
      String raw = header(command.headers(), MessageHeaders.EXPECTED_VERSION);
      expectedVersion = raw == null ? null : Long.valueOf(raw.trim());
    } catch (NumberFormatException e) {
      deadLetter(command, "invalid header " + MessageHeaders.EXPECTED_VERSION, e, commandId, streamId);
      return;
    }

    Current<S> current = load(streamId);
    if (expectedVersion != null && expectedVersion != current.version) {
      String reason = "expected version " + expectedVersion + " but stream " + streamId
          + " is at version " + current.version;
      answer(result(commandId, streamId, ResultStatus.CONFLICT, current.version, expectedVersion,
          reason, List.of()), true);
      return;
    }

    Outcome<S> outcome;
    try {
      outcome = decideAndEvolve(payload, current, streamId, commandId);
    } catch (RuntimeException e) {
      failTaskIfTransient(e);
      deadLetter(command, "decider failed on " + payload.getSchema().getName(), e, commandId, streamId);
      return;
    }
    if (outcome.rejection != null) {
      answer(result(commandId, streamId, ResultStatus.REJECTED, current.version, expectedVersion,
          outcome.rejection, List.of()), true);
      return;
    }

    long now = context.currentSystemTimeMs();
    if (!outcome.events.isEmpty()) {
      String correlationId = header(command.headers(), MessageHeaders.CORRELATION_ID);
      for (ResultEvent event : outcome.events) {
        Headers headers = new RecordHeaders();
        put(headers, MessageHeaders.EVENT_TYPE, event.getType());
        put(headers, MessageHeaders.EVENT_ID, event.getEventId());
        put(headers, MessageHeaders.COMMAND_ID, commandId);
        if (correlationId != null) {
          put(headers, MessageHeaders.CORRELATION_ID, correlationId);
        }
        put(headers, MessageHeaders.TIMESTAMP, Instant.ofEpochMilli(now).toString());
        context.forward(new Record<>(new EventKey(streamId, event.getVersion()).toBytes(),
            ByteBuffers.toArray(event.getPayload()), now, headers), nodes.eventsSink());
      }
      snapshots.put(streamId, snapshotCodec.encode(outcome.version, aggregate.logicVersion(),
          outcome.state, Instant.ofEpochMilli(now)));
    }
    answer(result(commandId, streamId, ResultStatus.ACCEPTED, outcome.version, expectedVersion,
        null, outcome.events), true);
  }

  /**
   * A registry that is down says nothing about the record: dead-lettering would turn an outage into
   * a pile of FAILED commands. Failing the task instead aborts the transaction; the record is
   * processed again once the (replaced) stream thread gets it back.
   */
  private void failTaskIfTransient(RuntimeException error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof SchemaRegistryException registry && registry.isRetriable()) {
        throw new TransientFailureException("schema registry unavailable while processing "
            + sourcePosition() + "; will retry: " + registry.getMessage(), error);
      }
    }
  }

  private Outcome<S> decideAndEvolve(SpecificRecord command, Current<S> current, String streamId,
      String commandId) {
    Decision<SpecificRecord> decision = decider.decide(command, current.state);
    if (decision instanceof Decision.Rejected<SpecificRecord> rejected) {
      return new Outcome<>(rejected.reason(), current.state, current.version, List.of());
    }
    List<SpecificRecord> events = ((Decision.Accepted<SpecificRecord>) decision).events();
    // Everything is computed before anything is forwarded, so a failure half-way appends nothing.
    S state = current.state;
    long version = current.version;
    List<ResultEvent> encoded = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      SpecificRecord event = events.get(i);
      if (!decider.eventTypes().contains(event.getClass())) {
        throw new IllegalStateException("decider emitted undeclared event type "
            + event.getClass().getName() + "; declared: " + decider.eventTypes());
      }
      state = decider.evolve(state, event);
      version++;
      encoded.add(ResultEvent.newBuilder()
          .setVersion(version)
          // Derived from the command id, so a retried command yields the same event ids.
          .setEventId(UUID.nameUUIDFromBytes((commandId + "#" + i).getBytes(StandardCharsets.UTF_8))
              .toString())
          .setType(event.getSchema().getFullName())
          .setPayload(ByteBuffer.wrap(serde.serialize(nodes.topics().events(), event)))
          .build());
    }
    return new Outcome<>(null, state, version, encoded);
  }

  private Current<S> load(String streamId) {
    byte[] raw = snapshots.get(streamId);
    if (raw == null) {
      return new Current<>(decider.initialState(), 0L);
    }
    SnapshotCodec.Decoded<S> snapshot = snapshotCodec.decode(raw);
    return new Current<>(snapshot.state(), snapshot.version());
  }

  private byte[] rememberedResult(String commandId) {
    // Results are remembered at stream time, and the store expires them by stream time too.
    long now = context.currentStreamTimeMs();
    long from = Math.max(0L, now - dedupeWindow.toMillis());
    long to = now + dedupeWindow.toMillis();
    try (WindowStoreIterator<byte[]> found = results.fetch(commandId, from, to)) {
      byte[] last = null;
      while (found.hasNext()) {
        last = found.next().value;
      }
      return last;
    }
  }

  private CommandIdFilter rebuildFilter(long atLeast) {
    List<String> ids = new ArrayList<>();
    try (KeyValueIterator<Windowed<String>, byte[]> all = results.all()) {
      while (all.hasNext()) {
        ids.add(all.next().key.key());
      }
    }
    // Room to double before the next rebuild, so rebuilds cost O(1) per command amortised.
    CommandIdFilter filter = CommandIdFilter.forEntries(Math.max(1 << 20, 2 * Math.max(atLeast,
        ids.size())));
    ids.forEach(filter::add);
    return filter;
  }

  private void answerDuplicate(String commandId, byte[] earlier) {
    CommandResultRecord original =
        serde.deserialize(nodes.topics().commandResults(), earlier, CommandResultRecord.class);
    original.setDuplicate(true);
    log.debug("command {} seen before: answering its original result", commandId);
    answer(original, false);
  }

  private void answer(CommandResultRecord result, boolean remember) {
    byte[] value = serde.serialize(nodes.topics().commandResults(), result);
    if (remember) {
      results.put(result.getCommandId(), value, context.currentStreamTimeMs());
      seenIds.add(result.getCommandId());
      if (seenIds.wantsToGrow()) {
        seenIds = rebuildFilter(seenIds.size());
      }
    }
    context.forward(new Record<>(result.getCommandId().getBytes(StandardCharsets.UTF_8), value,
        context.currentSystemTimeMs()), nodes.resultsSink());
  }

  private CommandResultRecord result(String commandId, String streamId, ResultStatus status,
      long version, Long expectedVersion, String reason, List<ResultEvent> events) {
    return CommandResultRecord.newBuilder()
        .setCommandId(commandId)
        .setStreamId(streamId)
        .setStatus(status)
        .setVersion(version)
        .setExpectedVersion(expectedVersion)
        .setReason(reason)
        .setEvents(events)
        .setDuplicate(false)
        .setDecidedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
  }

  private void deadLetter(Record<byte[], byte[]> command, String reason, Exception error,
      String commandId, String streamId) {
    Headers headers = new RecordHeaders(command.headers().toArray());
    put(headers, MessageHeaders.DLQ_REASON, reason);
    if (error != null) {
      put(headers, MessageHeaders.DLQ_EXCEPTION_CLASS, error.getClass().getName());
      put(headers, MessageHeaders.DLQ_EXCEPTION_MESSAGE, String.valueOf(error.getMessage()));
    }
    RecordMetadata source = context.recordMetadata().orElse(null);
    if (source != null) {
      put(headers, MessageHeaders.DLQ_SOURCE_TOPIC, source.topic());
      put(headers, MessageHeaders.DLQ_SOURCE_PARTITION, Integer.toString(source.partition()));
      put(headers, MessageHeaders.DLQ_SOURCE_OFFSET, Long.toString(source.offset()));
    }
    log.warn("{} to dead-letter topic {}: {} at {}{}", aggregate.name(), nodes.topics().dlq(),
        reason, sourcePosition(), error == null ? "" : " (" + error + ")");
    context.forward(new Record<>(command.key(), command.value(), command.timestamp(), headers),
        nodes.dlqSink());
    if (commandId != null) {
      // Someone may be waiting: tell them instead of letting them time out. Not remembered, so the
      // same id can be sent again once the cause is fixed.
      String why = reason + (error == null ? "" : ": " + error.getMessage())
          + " (record in " + nodes.topics().dlq() + ")";
      answer(result(commandId, streamId == null ? "" : streamId, ResultStatus.FAILED, -1L, null,
          why, List.of()), false);
    }
  }

  private String sourcePosition() {
    return context.recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse("unknown position");
  }

  private static String header(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }


  private record Current<S>(S state, long version) {}

  private record Outcome<S>(String rejection, S state, long version, List<ResultEvent> events) {}
}
