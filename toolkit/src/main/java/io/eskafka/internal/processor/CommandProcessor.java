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
import io.eskafka.internal.avro.ParkedCommand;
import io.eskafka.internal.avro.ParkedCommands;
import io.eskafka.internal.avro.ParkedHeader;
import io.eskafka.internal.avro.Snapshot;
import io.eskafka.internal.index.EventIndexing;
import io.eskafka.internal.index.IndexedEvent;
import io.eskafka.internal.index.StreamIndexKey;
import io.eskafka.internal.index.StreamIndexReader;
import io.eskafka.internal.index.StreamReplay;
import io.eskafka.internal.avro.ResultEvent;
import io.eskafka.internal.avro.ResultStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
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
 * snapshot (through its changelog), the result record and the input offset commit in one
 * transaction.
 *
 * <p>Command ids are remembered so that a command sent again gets its original result and appends
 * nothing. A command that appended events is remembered by the per-stream index (an entry per
 * stream and command id, fed from the events themselves, whose headers carry the command id): the
 * events are its memory, restored with them, so remembering costs no record of its own. The
 * original result is rebuilt from the indexed events. Commands that appended nothing (rejected,
 * conflicting, deleting, accepted without events) are remembered with their result in a window
 * store for the dedupe window.
 *
 * <p>Nothing that a record contains may kill the stream thread: every way a record can be bad
 * (null key, undecodable value, unknown type, bad header, a decider that throws) ends in the
 * dead-letter topic, plus a FAILED result when the sender can be told.
 *
 * <p>It also reads the event partition of its task back, and indexes what it reads until it is
 * back at its own first event (from then on every event it reads back is one it wrote into the
 * index as it appended it): the per-stream index serves snapshot rebuilds (a snapshot of another
 * logic version is rebuilt from the events before a command uses it), stream deletion and the
 * command-id memory above. When the index has not yet
 * caught up with a stream's snapshot (right after a restore, the last appended events are not read
 * back yet) and either the snapshot must be rebuilt or a command id must be looked up, the
 * stream's commands are parked in order in a store and go on when the missing events have been
 * read back. Only right after the task (re)initialises can the index lag: every event appended
 * since is written into it directly too, so once the first of those is read back, everything
 * before it is indexed.
 */
final class CommandProcessor<S extends SpecificRecord>
    implements Processor<byte[], byte[], byte[], byte[]> {

  private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);
  /**
   * How often the snapshot sweep runs, and how much it does each time: while commands arrive, at
   * most {@link #SWEEP_BUDGET} snapshots, so that a bump never starves them; while none arrived
   * since the last run, as many as fit in {@link #IDLE_SWEEP_TIME}, so that an idle application is
   * not held to the busy budget.
   */
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);
  private static final int SWEEP_BUDGET = 2_000;
  private static final long IDLE_SWEEP_TIME = Duration.ofMillis(500).toNanos();

  private final AggregateDefinition<S> aggregate;
  private final TypedDecider<SpecificRecord, SpecificRecord, S> decider;
  private final AvroSerde serde;
  private final AggregateNodes nodes;
  private final Duration dedupeWindow;
  private final RebuildTracker rebuilds;
  private final StreamReplay<S> replay;

  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, byte[]> snapshots;
  private WindowStore<String, byte[]> results;
  private KeyValueStore<Bytes, byte[]> index;
  private KeyValueStore<String, byte[]> parked;
  private KeyValueStore<String, Long> erased;
  private final Set<String> parkedStreams = new HashSet<>();
  private CommandIdFilter seenIds;
  private SnapshotCodec snapshotCodec;
  private String parkedTopic;
  private Source source = Source.UNKNOWN;
  private Sweep sweep;
  private long commandsSinceSweep;
  /**
   * Whether the index may still lag the snapshots: from init() until the first event this task
   * appended since ({@link #firstOwnEvent}) is read back.
   */
  private boolean indexMayLag;
  private byte[] firstOwnEvent;
  private final EventIds eventIds = new EventIds();
  /** Writes a read-back event's index entries (one instance: a reference per event allocates). */
  private final BiConsumer<Bytes, byte[]> indexWrite = this::indexWrite;
  /** The last timestamp header's text and the instant it is for (see timestampHeader). */
  private long formattedMillis;
  private String formattedTimestamp;

  CommandProcessor(AggregateDefinition<S> aggregate, AvroSerde serde, AggregateNodes nodes,
      Duration dedupeWindow, RebuildTracker rebuilds) {
    this.aggregate = aggregate;
    this.decider = aggregate.decider();
    this.serde = serde;
    this.nodes = nodes;
    this.dedupeWindow = dedupeWindow;
    this.rebuilds = rebuilds;
    this.replay = new StreamReplay<>(decider, serde, nodes.topics().events());
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.snapshots = context.getStateStore(nodes.snapshotStore());
    this.results = context.getStateStore(nodes.commandIdStore());
    this.index = context.getStateStore(nodes.indexStore());
    // init() runs whenever the stores may have changed under us (restored, migrated, reset after
    // an aborted transaction), so this is where the filter is rebuilt from their contents.
    this.seenIds = rebuildFilter(0);
    // Snapshot values are encoded against the changelog topic's subjects: it is where they live.
    this.snapshotCodec = new SnapshotCodec(serde,
        nodes.changelogTopic(context.applicationId(), nodes.snapshotStore()));
    this.parked = context.getStateStore(nodes.parkedStore());
    this.erased = context.getStateStore(nodes.erasedStore());
    this.parkedTopic = nodes.changelogTopic(context.applicationId(), nodes.parkedStore());
    parkedStreams.clear();
    indexMayLag = true;
    firstOwnEvent = null;
    try (KeyValueIterator<String, byte[]> all = parked.all()) {
      all.forEachRemaining(entry -> parkedStreams.add(entry.key));
    }
    this.sweep = new Sweep(context.taskId().toString(), context.taskId().partition());
    context.schedule(SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> sweep.run());
  }

  @Override
  public void close() {
    if (sweep != null) {
      rebuilds.forget(sweep.taskId);
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata metadata = context.recordMetadata().orElse(null);
    if (metadata != null && nodes.topics().events().equals(metadata.topic())) {
      eventReadBack(record);
      return;
    }
    source = metadata == null
        ? Source.UNKNOWN
        : new Source(metadata.topic(), metadata.partition(), metadata.offset());
    handle(record);
  }

  /**
   * An event of this task's partition was read back: indexed if it may not be yet, and parked
   * commands may go on.
   */
  private void eventReadBack(Record<byte[], byte[]> event) {
    if (indexMayLag) {
      // Appended before this task started (or since, then already written through): indexed now,
      // and its command id goes into the filter in front of the index too. Once the task's own
      // first event is back, every later event on the partition is one this task wrote through
      // (it is the partition's only writer), so reading back costs no more RocksDB writes.
      EventIndexing.entries(event.key(), event.value(), event.headers(), event.timestamp(),
          indexWrite);
      String commandId = header(event.headers(), MessageHeaders.COMMAND_ID);
      if (commandId != null && event.value() != null) {
        remember(commandId);
      }
      if (Arrays.equals(firstOwnEvent, event.key())) {
        indexMayLag = false;
        log.debug("{} {}: the index has caught up with the event partition", aggregate.name(),
            context.taskId());
      }
    }
    if (parkedStreams.isEmpty() || event.key() == null) {
      return;
    }
    String streamId;
    try {
      streamId = EventKey.parse(new String(event.key(), StandardCharsets.UTF_8)).streamId();
    } catch (IllegalArgumentException e) {
      return; // the indexer already said so
    }
    if (parkedStreams.contains(streamId) && indexCaughtUp(streamId)) {
      ParkedCommands held = serde.deserialize(parkedTopic, parked.get(streamId),
          ParkedCommands.class);
      parked.delete(streamId);
      parkedStreams.remove(streamId);
      log.info("{}: index of stream {} caught up; handling its {} parked command(s)",
          aggregate.name(), streamId, held.getCommands().size());
      for (ParkedCommand command : held.getCommands()) {
        source = new Source(command.getTopic(), command.getPartition(), command.getOffset());
        // Should one park again, handle() parks the rest behind it: order holds either way.
        handle(unpark(command));
      }
    }
  }

  private void indexWrite(Bytes key, byte[] value) {
    if (value == null) {
      index.delete(key);
    } else {
      index.put(key, value);
    }
  }

  private boolean indexCaughtUp(String streamId) {
    byte[] raw = snapshots.get(streamId);
    long required = raw == null ? 0L : snapshotCodec.envelope(raw).getVersion();
    return StreamIndexReader.head(index, streamId) >= required;
  }

  private void handle(Record<byte[], byte[]> command) {
    commandsSinceSweep++;
    String commandId = header(command.headers(), MessageHeaders.COMMAND_ID);
    if (command.key() == null) {
      deadLetter(command, "null key: commands must be keyed by stream id", null, commandId, null);
      return;
    }
    String streamId = new String(command.key(), StandardCharsets.UTF_8);
    if (parkedStreams.contains(streamId)) {
      park(streamId, command); // behind the ones already parked: a stream's commands keep order
      return;
    }
    boolean delete = MessageHeaders.CONTROL_DELETE_STREAM.equals(
        header(command.headers(), MessageHeaders.CONTROL));
    Long erasedAt = erased.get(streamId);
    if (erasedAt != null) {
      // Checked before the dedupe memory: a re-sent command of an erased stream must not get its
      // original result back, which carries the erased events.
      if (commandId == null) {
        commandId = sourcePosition();
      }
      if (delete) {
        answer(result(commandId, streamId, ResultStatus.ACCEPTED, 0L, null, null, List.of()),
            false);
      } else {
        answer(result(commandId, streamId, ResultStatus.REJECTED, 0L, null, "stream " + streamId
            + " was deleted at " + Instant.ofEpochMilli(erasedAt), List.of()), false);
      }
      return;
    }
    if (commandId != null) {
      if (indexMayLag && !indexCaughtUp(streamId)) {
        // The stream's last events, which remember their command ids, are not read back yet.
        park(streamId, command);
        return;
      }
      CommandResultRecord earlier;
      try {
        earlier = rememberedResult(streamId, commandId, command.headers());
      } catch (RuntimeException e) {
        failTaskIfTransient(e);
        deadLetter(command, "cannot read the original result of command " + commandId
            + " from the index of stream " + streamId, e, commandId, streamId);
        return;
      }
      if (earlier != null) {
        log.debug("command {} seen before: answering its original result", commandId);
        answer(earlier, false);
        return;
      }
    } else {
      // Without an id nobody waits for the answer; a position-derived id still keys the result.
      commandId = sourcePosition();
    }
    if (delete) {
      deleteStream(streamId, commandId);
      return;
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

    Current<S> current;
    try {
      current = load(streamId);
    } catch (RuntimeException e) {
      failTaskIfTransient(e);
      deadLetter(command, "cannot rebuild the state of stream " + streamId + " from its events",
          e, commandId, streamId);
      return;
    }
    if (current == null) {
      park(streamId, command);
      return;
    }
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
      String timestamp = timestampHeader(now);
      for (ResultEvent event : outcome.events) {
        Headers headers = new RecordHeaders();
        put(headers, MessageHeaders.COMMAND_ID, commandId);
        if (correlationId != null) {
          put(headers, MessageHeaders.CORRELATION_ID, correlationId);
        }
        put(headers, MessageHeaders.TIMESTAMP, timestamp);
        // Last, because readers look headers up from the end (Headers.lastHeader) and these two
        // are read for every event: by the index and by every projection.
        put(headers, MessageHeaders.EVENT_TYPE, event.getType());
        put(headers, MessageHeaders.EVENT_ID, event.getEventId());
        byte[] payloadBytes = ByteBuffers.toArray(event.getPayload());
        byte[] eventKey = new EventKey(streamId, event.getVersion()).toBytes();
        if (indexMayLag && firstOwnEvent == null) {
          firstOwnEvent = eventKey;
        }
        context.forward(new Record<>(eventKey, payloadBytes, now, headers), nodes.eventsSink());
        // Written through: the index never lags the snapshot while the task runs (the record is
        // read back later, and only indexed again while the index may lag, see eventReadBack).
        index.put(StreamIndexKey.of(streamId, event.getVersion()), new IndexedEvent(
            event.getType(), event.getEventId(), now, payloadBytes).encode());
      }
      // The command-id memory of a command that appended (the events' own entries say the same).
      index.put(StreamIndexKey.command(streamId, commandId),
          StreamIndexKey.commandValue(outcome.version));
      remember(commandId);
      snapshots.put(streamId, snapshotCodec.encode(outcome.version, aggregate.logicVersion(),
          outcome.state, Instant.ofEpochMilli(now)));
    }
    answer(result(commandId, streamId, ResultStatus.ACCEPTED, outcome.version, expectedVersion,
        null, outcome.events), outcome.events.isEmpty());
  }

  /** The timestamp header's text, formatted once per millisecond rather than once per event. */
  private String timestampHeader(long epochMillis) {
    if (epochMillis != formattedMillis || formattedTimestamp == null) {
      formattedMillis = epochMillis;
      formattedTimestamp = Instant.ofEpochMilli(epochMillis).toString();
    }
    return formattedTimestamp;
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
          .setEventId(eventIds.of(commandId, i))
          .setType(event.getSchema().getFullName())
          .setPayload(ByteBuffer.wrap(serde.serialize(nodes.topics().events(), event)))
          .build());
    }
    return new Outcome<>(null, state, version, encoded);
  }

  /**
   * The stream's state: its snapshot, or, when the snapshot was written by another logic version,
   * the events replayed from the index (and the snapshot rewritten).
   *
   * @return the state, or {@code null} when a rebuild is due but the index is behind the snapshot
   */
  private Current<S> load(String streamId) {
    byte[] raw = snapshots.get(streamId);
    if (raw == null) {
      return new Current<>(decider.initialState(), 0L);
    }
    Snapshot envelope = snapshotCodec.envelope(raw);
    if (envelope.getLogicVersion() == aggregate.logicVersion()) {
      SnapshotCodec.Decoded<S> snapshot = snapshotCodec.decode(envelope);
      return new Current<>(snapshot.state(), snapshot.version());
    }
    S rebuilt = rebuild(streamId, envelope);
    return rebuilt == null ? null : new Current<>(rebuilt, envelope.getVersion());
  }

  /**
   * Replays a stream from the index up to its snapshot's version with the current logic, and
   * writes the snapshot again with the current logic version.
   *
   * @return the state, or {@code null} when the index does not hold every event up to the
   *     snapshot's version yet
   */
  private S rebuild(String streamId, Snapshot stale) {
    StreamReplay.Replayed<S> replayed =
        replay.replay(index, streamId, stale.getVersion(), Long.MAX_VALUE, null);
    if (replayed.version() != stale.getVersion()) {
      return null;
    }
    snapshots.put(streamId, snapshotCodec.encode(stale.getVersion(), aggregate.logicVersion(),
        replayed.state(), stale.getUpdatedAt()));
    sweep.rebuilt++;
    log.debug("{}: rebuilt stream {} at v{} from logic version {} to {}", aggregate.name(),
        streamId, stale.getVersion(), stale.getLogicVersion(), aggregate.logicVersion());
    return replayed.state();
  }

  /**
   * Erases a stream: a tombstone for each of its event keys (compaction then removes the events
   * from Kafka), its snapshot deleted (a tombstone in the snapshot changelog), its index entries
   * deleted, and the stream id remembered as deleted so later commands are rejected.
   */
  private void deleteStream(String streamId, String commandId) {
    byte[] raw = snapshots.get(streamId);
    long head = Math.max(raw == null ? 0L : snapshotCodec.envelope(raw).getVersion(),
        StreamIndexReader.head(index, streamId));
    long now = context.currentSystemTimeMs();
    for (long version = 1; version <= head; version++) {
      Headers headers = new RecordHeaders();
      put(headers, MessageHeaders.COMMAND_ID, commandId);
      context.forward(new Record<byte[], byte[]>(new EventKey(streamId, version).toBytes(), null,
          now, headers), nodes.eventsSink());
    }
    List<Bytes> keys = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> entries = index.range(StreamIndexKey.of(streamId, 0L),
        StreamIndexKey.of(streamId, Long.MAX_VALUE))) {
      entries.forEachRemaining(entry -> keys.add(entry.key));
    }
    try (KeyValueIterator<Bytes, byte[]> commandIds = index.range(
        StreamIndexKey.command(streamId, ""), StreamIndexKey.commandsEnd(streamId))) {
      commandIds.forEachRemaining(entry -> keys.add(entry.key));
    }
    keys.forEach(index::delete);
    snapshots.delete(streamId);
    erased.put(streamId, now);
    log.info("{}: deleted stream {} ({} event keys tombstoned)", aggregate.name(), streamId, head);
    answer(result(commandId, streamId, ResultStatus.ACCEPTED, head, null, null, List.of()), true);
  }

  private void park(String streamId, Record<byte[], byte[]> command) {
    byte[] raw = parked.get(streamId);
    ParkedCommands held = raw == null
        ? new ParkedCommands(new ArrayList<>())
        : serde.deserialize(parkedTopic, raw, ParkedCommands.class);
    List<ParkedHeader> headers = new ArrayList<>();
    for (Header header : command.headers()) {
      headers.add(new ParkedHeader(header.key(),
          header.value() == null ? null : ByteBuffer.wrap(header.value())));
    }
    List<ParkedCommand> commands = new ArrayList<>(held.getCommands());
    commands.add(new ParkedCommand(ByteBuffer.wrap(command.key()),
        command.value() == null ? null : ByteBuffer.wrap(command.value()), headers,
        command.timestamp(), source.topic(), source.partition(), source.offset()));
    parked.put(streamId, serde.serialize(parkedTopic, new ParkedCommands(commands)));
    if (parkedStreams.add(streamId)) {
      log.info("{}: the index of stream {} is behind its snapshot (events not read back since "
          + "the task started); parking its commands until they are", aggregate.name(), streamId);
    }
  }

  private static Record<byte[], byte[]> unpark(ParkedCommand command) {
    Headers headers = new RecordHeaders();
    for (ParkedHeader header : command.getHeaders()) {
      headers.add(header.getName(),
          header.getValue() == null ? null : ByteBuffers.toArray(header.getValue()));
    }
    return new Record<>(ByteBuffers.toArray(command.getKey()),
        command.getValue() == null ? null : ByteBuffers.toArray(command.getValue()),
        command.getTimestamp(), headers);
  }

  /**
   * Background pass over the task's snapshots, rebuilding those of another logic version a budget
   * at a time, so that streams nobody sends commands to are brought up to date too. Runs in the
   * stream thread (punctuation), inside the task's transactions.
   */
  private final class Sweep {
    final String taskId;
    final int partition;
    String cursor;
    long checked;
    long rebuilt;
    long waiting;
    long waitingThisRound;
    boolean complete;

    Sweep(String taskId, int partition) {
      this.taskId = taskId;
      this.partition = partition;
    }

    void run() {
      if (complete) {
        return;
      }
      long rebuiltBefore = rebuilt;
      boolean idle = commandsSinceSweep == 0;
      commandsSinceSweep = 0;
      long budget = idle ? Long.MAX_VALUE : SWEEP_BUDGET;
      long deadline = System.nanoTime() + IDLE_SWEEP_TIME;
      boolean exhausted;
      try (KeyValueIterator<String, byte[]> all = cursor == null
          ? snapshots.all()
          : snapshots.range(cursor, null)) {
        while (budget > 0 && all.hasNext()) {
          if (idle && (checked & 63) == 0 && System.nanoTime() - deadline > 0) {
            break;
          }
          KeyValue<String, byte[]> entry = all.next();
          if (entry.key.equals(cursor)) {
            continue;
          }
          cursor = entry.key;
          budget--;
          checked++;
          Snapshot envelope = snapshotCodec.envelope(entry.value);
          if (envelope.getLogicVersion() == aggregate.logicVersion()
              || parkedStreams.contains(entry.key)) {
            continue; // current, or rebuilt when its parked commands go on
          }
          try {
            if (rebuild(entry.key, envelope) == null) {
              waitingThisRound++;
            }
          } catch (RuntimeException e) {
            // The stream's next command dead-letters with the cause; the sweep must go on.
            waitingThisRound++;
            log.warn("{}: cannot rebuild stream {} from its events: {}", aggregate.name(),
                entry.key, e.toString());
          }
        }
        exhausted = !all.hasNext();
      }
      if (exhausted) {
        complete = waitingThisRound == 0;
        waiting = waitingThisRound;
        waitingThisRound = 0;
        cursor = null;
        checked = complete ? checked : 0;
      }
      if (rebuilt > rebuiltBefore || exhausted && rebuilt > 0) {
        log.info("{} partition {}: {} snapshot(s) rebuilt for logic version {} ({} checked of "
            + "~{}{})", aggregate.name(), partition, rebuilt, aggregate.logicVersion(), checked,
            snapshots.approximateNumEntries(), complete ? ", done" : "");
      }
      rebuilds.report(taskId, new RebuildTracker.TaskProgress(partition, checked, rebuilt,
          Math.max(waiting, waitingThisRound), snapshots.approximateNumEntries(), complete));
    }
  }

  /**
   * The original result of a command seen before, marked duplicate, or {@code null}: from the
   * index when the command appended events, else from the result store.
   */
  private CommandResultRecord rememberedResult(String streamId, String commandId,
      Headers headers) {
    if (!seenIds.mightContain(commandId)) {
      return null; // the common case: a new command, answered without touching RocksDB
    }
    byte[] appended = index.get(StreamIndexKey.command(streamId, commandId));
    if (appended != null) {
      return appendedResult(streamId, commandId, StreamIndexKey.lastVersion(appended), headers);
    }
    byte[] stored = storedResult(commandId);
    if (stored == null) {
      return null;
    }
    CommandResultRecord original =
        serde.deserialize(nodes.topics().commandResults(), stored, CommandResultRecord.class);
    original.setDuplicate(true);
    return original;
  }

  /**
   * The result of a command that appended events, rebuilt from them: its events are the ones
   * from its last back to its first (the one whose id is the command's event 0), and it was
   * decided when they were appended.
   */
  private CommandResultRecord appendedResult(String streamId, String commandId, long lastVersion,
      Headers headers) {
    String firstEventId = eventIds.of(commandId, 0);
    List<ResultEvent> events = new ArrayList<>();
    long appendedAt = 0L;
    boolean complete = false;
    try (KeyValueIterator<Bytes, byte[]> back = index.reverseRange(
        StreamIndexKey.of(streamId, 1L), StreamIndexKey.of(streamId, lastVersion))) {
      while (back.hasNext() && !complete) {
        KeyValue<Bytes, byte[]> entry = back.next();
        long version = StreamIndexKey.version(entry.key);
        if (events.isEmpty() && version != lastVersion) {
          break; // the last event itself is missing
        }
        IndexedEvent event = IndexedEvent.decode(entry.value);
        if (events.isEmpty()) {
          appendedAt = event.timestamp();
        }
        events.add(ResultEvent.newBuilder()
            .setVersion(version)
            .setEventId(event.eventId())
            .setType(event.type())
            .setPayload(ByteBuffer.wrap(event.payload()))
            .build());
        complete = event.eventId().equals(firstEventId);
      }
    }
    if (!complete) {
      throw new IllegalStateException("the index remembers command " + commandId
          + " appending up to v" + lastVersion + " but does not hold its events");
    }
    Collections.reverse(events);
    Long expectedVersion;
    try {
      // A command sent again is the same command: its expected version is the original's.
      String raw = header(headers, MessageHeaders.EXPECTED_VERSION);
      expectedVersion = raw == null ? null : Long.valueOf(raw.trim());
    } catch (NumberFormatException e) {
      expectedVersion = null;
    }
    return CommandResultRecord.newBuilder()
        .setCommandId(commandId)
        .setStreamId(streamId)
        .setStatus(ResultStatus.ACCEPTED)
        .setVersion(lastVersion)
        .setExpectedVersion(expectedVersion)
        .setReason(null)
        .setEvents(events)
        .setDuplicate(true)
        .setDecidedAt(Instant.ofEpochMilli(appendedAt))
        .build();
  }

  private byte[] storedResult(String commandId) {
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

  /**
   * A filter of every remembered command id: those of the result store and those of the index's
   * command entries. Read twice (count, then add) rather than collected: there may be millions.
   */
  private CommandIdFilter rebuildFilter(long atLeast) {
    long count = forEachRememberedId(id -> { });
    // Room to double before the next rebuild, so rebuilds cost O(1) per command amortised.
    CommandIdFilter filter = CommandIdFilter.forEntries(Math.max(1 << 20, 2 * Math.max(atLeast,
        count)));
    forEachRememberedId(filter::add);
    return filter;
  }

  private long forEachRememberedId(Consumer<String> action) {
    long count = 0;
    try (KeyValueIterator<Windowed<String>, byte[]> all = results.all()) {
      while (all.hasNext()) {
        action.accept(all.next().key.key());
        count++;
      }
    }
    try (KeyValueIterator<Bytes, byte[]> commands =
        index.range(StreamIndexKey.COMMANDS_FROM, StreamIndexKey.COMMANDS_TO)) {
      while (commands.hasNext()) {
        action.accept(StreamIndexKey.commandId(commands.next().key));
        count++;
      }
    }
    return count;
  }

  private void remember(String commandId) {
    seenIds.add(commandId);
    if (seenIds.wantsToGrow()) {
      seenIds = rebuildFilter(seenIds.size());
    }
  }

  private void answer(CommandResultRecord result, boolean remember) {
    byte[] value = serde.serialize(nodes.topics().commandResults(), result);
    if (remember) {
      results.put(result.getCommandId(), value, context.currentStreamTimeMs());
      remember(result.getCommandId());
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
    if (source != Source.UNKNOWN) {
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
    return source == Source.UNKNOWN
        ? "unknown position"
        : source.topic() + "-" + source.partition() + "@" + source.offset();
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

  /** Where the command being handled was read (a parked one keeps its original position). */
  private record Source(String topic, int partition, long offset) {
    static final Source UNKNOWN = new Source("", -1, -1L);
  }

  private record Outcome<S>(String rejection, S state, long version, List<ResultEvent> events) {}
}
