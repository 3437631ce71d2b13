package io.eskafka.bench;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.GatewayOptions;
import io.eskafka.client.StreamState;
import io.eskafka.examples.bank.BankAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.internal.DirectoryTree;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.TopicSpec;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs every workload against one broker in one run and prints a table of absolute figures and
 * ratios to Kafka's own limits measured in the same run. See docs/benchmarks.md.
 */
public final class BenchMain {

  private static final String AGGREGATE = "bench-account";
  private static final String PASSTHROUGH_OUT = "bench-passthrough.out";
  /** Kafka's own round trip: into and out of an exactly-once passthrough. */
  private static final String LATENCY_IN = "bench-latency.in";
  private static final String LATENCY_OUT = "bench-latency.out";
  /** Topics of the aggregate's Kafka shape without the toolkit ({@link AggregateShapeApp}). */
  private static final AggregateTopics SHAPE = AggregateTopics.of("bench-shape");
  /** The JIT warm-up's own topics: nothing it writes is read by a measured workload. */
  private static final String WARMUP = "bench-warmup";
  private static final String WARMUP_PASSTHROUGH_OUT = "bench-warmup-passthrough.out";
  private static final AggregateTopics WARMUP_SHAPE = AggregateTopics.of("bench-warmup-shape");
  private static final Duration MAX_WAIT = Duration.ofMinutes(30);
  /** Events of the stream whose read latency is measured, and how many reads are timed. */
  private static final int STREAM_EVENTS = 1_000;
  private static final int STREAM_READS = 500;

  private final BenchOptions options;
  private final PrintStream out;
  private final List<String[]> rows = new ArrayList<>();
  /** Per application id: how long the JIT compiler worked during its throughput workload. */
  private final Map<String, String> jitNotes = new HashMap<>();

  /**
   * Runs the benchmark.
   *
   * @return the table rows: workload, figure, ratio
   */
  static List<String[]> run(BenchOptions options, PrintStream out) throws Exception {
    return new BenchMain(options, out).run();
  }

  private BenchMain(BenchOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Entry point.
   *
   * @param args see {@link BenchOptions#USAGE}
   */
  public static void main(String[] args) {
    int status = 0;
    try {
      run(BenchOptions.parse(args), System.out);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      status = 2;
    } catch (Exception e) {
      System.err.println("benchmark failed: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  private List<String[]> run() throws Exception {
    out.printf("eskafka benchmark %s: %d commands over %d accounts, %d partitions, %d stream "
            + "threads, %d ms commits%n", LocalDate.now(), options.commands(), options.accounts(),
        options.partitions(), options.threads(), options.commitInterval().toMillis());
    if (!options.kafkaConfig().isEmpty()) {
      out.println("kafka config (baseline and aggregate): " + options.kafkaConfig());
    }
    out.printf("machine: %d cores, java %s, max heap %d MiB%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    BrokerProcess broker = options.bootstrap() == null ? BrokerProcess.start("1g") : null;
    String bootstrap = broker == null ? options.bootstrap() : broker.bootstrapServers();
    out.println("broker: " + bootstrap + (broker == null ? " (given)" : " (embedded, own JVM)"));
    try {
      measure(bootstrap, broker);
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
    printTable();
    return rows;
  }

  private void measure(String bootstrap, BrokerProcess broker) throws Exception {
    AggregateDefinition<BankAccountState> aggregate =
        AggregateDefinition.of(AGGREGATE, BankAccount.decider());
    String commands = aggregate.topics().commands();
    int partitions = options.partitions();
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      List<TopicSpec> specs = new ArrayList<>(aggregate.topics().specs(partitions, (short) 1));
      specs.add(new TopicSpec(PASSTHROUGH_OUT, partitions, (short) 1,
          Map.of("cleanup.policy", "delete")));
      specs.addAll(SHAPE.specs(partitions, (short) 1));
      for (String topic : List.of(LATENCY_IN, LATENCY_OUT)) {
        specs.add(new TopicSpec(topic, partitions, (short) 1, Map.of("cleanup.policy", "delete")));
      }
      if (options.warmupCommands() > 0) {
        specs.addAll(AggregateTopics.of(WARMUP).specs(partitions, (short) 1));
        specs.add(new TopicSpec(WARMUP_PASSTHROUGH_OUT, partitions, (short) 1,
            Map.of("cleanup.policy", "delete")));
        specs.addAll(WARMUP_SHAPE.specs(partitions, (short) 1));
      }
      applier.apply(specs);
    }
    AvroSerde serde = AvroSerde.create(new InMemorySchemaRegistry());
    if (options.warmupCommands() > 0) {
      warmUp(bootstrap, serde);
      double quiet = JitTime.awaitQuiet(50, Duration.ofSeconds(60));
      step(quiet < 0 ? "the JIT compiler was still busy after 60 s"
          : String.format("the JIT compiler was quiet after %.0f s", quiet));
    }

    step("producing " + options.commands() + " commands");
    double produced = CommandLoad.produce(bootstrap, commands, serde, options.commands(),
        options.accounts());
    step("reading them with a raw consumer");
    double consumed = RawConsumer.readToEnd(bootstrap, commands, partitions).perSecond();

    try (GroupProgress progress = new GroupProgress(bootstrap)) {
      Map<TopicPartition, Long> ends = progress.endOffsets(commands, partitions);

      step("baseline: Kafka Streams exactly-once passthrough with a RocksDB store");
      GroupProgress.Rate baseline = runPassthrough(bootstrap, commands, PASSTHROUGH_OUT,
          "bench-passthrough", progress, ends);

      Map<AggregateShapeApp.Shape, GroupProgress.Rate> shapes = new EnumMap<>(
          AggregateShapeApp.Shape.class);
      for (AggregateShapeApp.Shape variant : AggregateShapeApp.Shape.values()) {
        if (variant != AggregateShapeApp.Shape.FULL && !options.shapeVariants()) {
          continue;
        }
        step("the aggregate's Kafka work without the toolkit: " + variant);
        shapes.put(variant, runShape(variant, bootstrap, commands, SHAPE,
            "bench-shape-" + variant.name().toLowerCase(Locale.ROOT), progress, ends));
      }
      GroupProgress.Rate shape = shapes.get(AggregateShapeApp.Shape.FULL);

      step("aggregate: the same backlog through the bank-account aggregate");
      AppOptions appOptions = appOptions(bootstrap, "bench-aggregate", options.commitInterval());
      long started = System.nanoTime();
      AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde, appOptions).start();
      GroupProgress.Rate backlog;
      String memory;
      List<GatewayLoad.Outcome> closedLoops = new ArrayList<>();
      GatewayLoad.Outcome halfLoad = null;
      StreamReadLoad.Outcome streamRead;
      StreamReadLoad.Outcome quietRead;
      double quietAfter;
      double halfRate = 0;
      try {
        backlog = jitNoted("bench-aggregate",
            () -> progress.await("bench-aggregate", ends, started, MAX_WAIT));
        verify(app);
        memory = memory(broker);
        step("one stream: " + STREAM_EVENTS + " events appended, then read " + STREAM_READS
            + " times from the per-stream index");
        try (CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
            GatewayOptions.of(bootstrap).withTimeout(Duration.ofMinutes(2)))) {
          StreamReadLoad.append(app, gateway, STREAM_EVENTS);
        }
        streamRead = StreamReadLoad.measure(app, STREAM_EVENTS, STREAM_READS);
        // Right after a backlog, RocksDB compacts and the broker's log cleaner runs: the reads
        // above share the CPU with them. Measured again once the machine has settled.
        step("waiting for the machine to settle (CPU under 25 %, at most 90 s), then reading again");
        quietAfter = CpuTime.awaitQuiet(0.25, Duration.ofSeconds(90));
        quietRead = StreamReadLoad.measure(app, STREAM_EVENTS, STREAM_READS);
        if (!options.loadDuration().isZero()) {
          try (CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
              GatewayOptions.of(bootstrap).withTimeout(Duration.ofMinutes(2)))) {
            for (int inFlight : options.inFlight()) {
              step("gateway, closed loop, " + inFlight + " in flight");
              closedLoops.add(GatewayLoad.closedLoop(gateway, options.accounts(), inFlight,
                  options.loadDuration()));
            }
            // The round trip's maximum is what a gateway client achieved, not the backlog rate:
            // latency is measured through the gateway, so half load is half of that.
            double best = closedLoops.stream().mapToDouble(GatewayLoad.Outcome::perSecond).max()
                .orElse(backlog.perSecond());
            halfRate = best / 2;
            step(String.format("gateway, fixed rate %.0f/s (half the best closed-loop rate)",
                halfRate));
            halfLoad = GatewayLoad.fixedRate(gateway, options.accounts(), halfRate,
                options.loadDuration());
          }
        }
      } finally {
        app.close();
      }
      // Shorter commits cost throughput: half load is half of what that configuration sustains,
      // measured first, not half of the default configuration's rate. A quarter shows where the
      // tail goes once the machine has room.
      GatewayLoad.Outcome lowLatencyMax = null;
      List<GatewayLoad.Outcome> lowLatency = new ArrayList<>();
      List<Double> lowLatencyRates = new ArrayList<>();
      if (options.lowLatencyCommit() != null && halfLoad != null) {
        long commitMs = options.lowLatencyCommit().toMillis();
        try (AggregateApp<BankAccountState> fast = AggregateApp.create(aggregate, serde,
                appOptions(bootstrap, "bench-aggregate", options.lowLatencyCommit())).start()
                .awaitRunning(Duration.ofMinutes(5));
            CommandGateway gateway = CommandGateway.connect(aggregate.topics(), serde,
                GatewayOptions.of(bootstrap).withTimeout(Duration.ofMinutes(2)))) {
          int inFlight = options.inFlight().get(options.inFlight().size() - 1);
          step("gateway, closed loop, " + inFlight + " in flight, " + commitMs + " ms commits");
          lowLatencyMax = GatewayLoad.closedLoop(gateway, options.accounts(), inFlight,
              options.loadDuration());
          for (int divisor : new int[] {2, 4}) {
            double rate = lowLatencyMax.perSecond() / divisor;
            step(String.format("gateway, fixed rate %.0f/s (1/%d of that), %d ms commits", rate,
                divisor, commitMs));
            lowLatencyRates.add(rate);
            lowLatency.add(GatewayLoad.fixedRate(gateway, options.accounts(), rate,
                options.loadDuration()));
          }
        }
      }
      // The same rates and commit interval through Kafka alone: the floor the rows above sit on.
      List<PassthroughLatency.Outcome> kafkaLatency = new ArrayList<>();
      for (double rate : lowLatencyRates) {
        step(String.format("Kafka alone: fixed rate %.0f/s through an exactly-once passthrough, "
            + "%d ms commits", rate, options.lowLatencyCommit().toMillis()));
        kafkaLatency.add(PassthroughLatency.measure(bootstrap, LATENCY_IN, LATENCY_OUT,
            partitions, appOptions(bootstrap, "bench-latency", options.lowLatencyCommit()), rate,
            options.loadDuration()));
      }

      String events = aggregate.topics().events();
      step("reading the event topic with a raw consumer");
      RawConsumer.Read eventRead = RawConsumer.readToEnd(bootstrap, events, partitions);
      step("replaying " + eventRead.records() + " events: account balances (JDBC, H2)");
      ReplayLoad.Outcome jdbcReplay = ReplayLoad.accountBalances(bootstrap, events,
          "bench-replay-jdbc", serde, eventRead, options.accounts(), options.replayBatch(),
          progress);
      step("the account-balances statements alone on H2 (no Kafka, no runner)");
      double readModelLimit = ReadModelLimit.accountBalancesH2(eventRead.records(),
          options.accounts(), options.replayBatch());
      step("replaying them: at-least-once projection that only counts");
      ReplayLoad.Outcome countReplay = ReplayLoad.counting(bootstrap, events, "bench-replay-count",
          serde, eventRead, options.replayBatch(), progress);

      step("logic-version bump: snapshots rebuilt from the per-stream index");
      RebuildLoad.Outcome rebuild = RebuildLoad.measure(AGGREGATE, serde,
          appOptions(bootstrap, "bench-aggregate", options.commitInterval()), eventRead.records());

      row("Kafka producer, acks=all, idempotent (limit)", rate(produced, "records/s"), "");
      row("Kafka consumer, read_committed (limit)", rate(consumed, "records/s"), "");
      row("Baseline: Streams EOS passthrough + RocksDB store", rate(baseline.perSecond(),
          "records/s", "bench-passthrough"), "1.00");
      row("Aggregate's Kafka work without the toolkit: command read, snapshot get and changelogged "
              + "put, event and result written, event and its command id written into an index, "
              + "event read back",
          rate(shape.perSecond(), "commands/s", "bench-shape-full"),
          ratio(shape.perSecond(), baseline.perSecond()) + " of baseline");
      if (options.shapeVariants()) {
        GroupProgress.Rate ownChangelog = shapes.get(AggregateShapeApp.Shape.INDEX_CHANGELOG);
        row("... the same with an index changelog of its own instead of the event topic read back "
                + "(a second copy of every event in Kafka)",
            rate(ownChangelog.perSecond(), "commands/s", "bench-shape-index_changelog"),
            ratio(ownChangelog.perSecond(), baseline.perSecond()) + " of baseline");
        GroupProgress.Rate noIndex = shapes.get(AggregateShapeApp.Shape.NO_INDEX);
        row("... the same without the event read-back and index (nor command-id memory)",
            rate(noIndex.perSecond(), "commands/s", "bench-shape-no_index"),
            ratio(noIndex.perSecond(), baseline.perSecond()) + " of baseline");
      }
      row("Aggregate, command backlog (open loop)",
          rate(backlog.perSecond(), "commands/s", "bench-aggregate"),
          ratio(backlog.perSecond(), baseline.perSecond()) + " of baseline (target >= 0.5); "
              + ratio(backlog.perSecond(), shape.perSecond()) + " of its Kafka work alone");
      for (int i = 0; i < closedLoops.size(); i++) {
        GatewayLoad.Outcome loop = closedLoops.get(i);
        row("Aggregate via gateway, " + options.inFlight().get(i) + " in flight (closed loop)",
            rate(loop.perSecond(), "commands/s") + failures(loop),
            ratio(loop.perSecond(), baseline.perSecond()) + " of baseline");
      }
      if (halfLoad != null) {
        row(latencyLabel(halfRate, "half load", options.commitInterval()), latency(halfLoad),
            "target p99 <= 50 ms");
      }
      if (lowLatencyMax != null) {
        row("Aggregate via gateway, " + options.inFlight().get(options.inFlight().size() - 1)
                + " in flight, " + options.lowLatencyCommit().toMillis() + " ms commits",
            rate(lowLatencyMax.perSecond(), "commands/s") + failures(lowLatencyMax),
            ratio(lowLatencyMax.perSecond(), baseline.perSecond()) + " of baseline");
        for (int i = 0; i < lowLatency.size(); i++) {
          row(latencyLabel(lowLatencyRates.get(i), i == 0 ? "half load" : "quarter load",
              options.lowLatencyCommit()), latency(lowLatency.get(i)), "target p99 <= 50 ms");
        }
        for (int i = 0; i < kafkaLatency.size(); i++) {
          PassthroughLatency.Outcome kafka = kafkaLatency.get(i);
          row(String.format("Kafka alone, same rate (%s), same commits: producer -> EOS "
                  + "passthrough -> read_committed consumer: p50 / p99 / p99.9",
                  i == 0 ? "half load" : "quarter load"),
              String.format("%.1f / %.1f / %.1f ms%s (CPU %.0f %% busy)",
                  kafka.percentileMillis(50), kafka.percentileMillis(99),
                  kafka.percentileMillis(99.9), kafka.received() == kafka.sent() ? ""
                      : " (" + (kafka.sent() - kafka.received()) + " not received)",
                  kafka.cpuBusy() * 100),
              String.format("aggregate p99 %.1fx this", lowLatency.get(i).percentileMillis(99)
                  / kafka.percentileMillis(99)));
        }
      }
      row("Kafka consumer, read_committed, " + eventRead.records() + " events (limit)",
          rate(eventRead.perSecond(), "events/s"), "1.00");
      row("Projection replay: account balances, JDBC exactly-once, H2, batches of "
              + options.replayBatch(),
          rate(jdbcReplay.perSecond(), "events/s"),
          ratio(jdbcReplay.perSecond(), eventRead.perSecond()) + " of consumer (target >= 0.5); "
              + ratio(jdbcReplay.perSecond(), readModelLimit) + " of its statements alone");
      row("... its statements alone: one per event on H2 in memory, transactions of "
              + options.replayBatch() + ", no Kafka", rate(readModelLimit, "events/s"),
          ratio(readModelLimit, eventRead.perSecond()) + " of consumer");
      row("Projection replay: at-least-once, counting handler, batches of "
              + options.replayBatch(),
          rate(countReplay.perSecond(), "events/s"),
          ratio(countReplay.perSecond(), eventRead.perSecond()) + " of consumer");
      readRows(streamRead, "right after the backlog", "");
      readRows(quietRead, "machine settled", quietAfter < 0
          ? "; did not settle within 90 s" : String.format("; settled after %.0f s", quietAfter));
      row("Snapshot rebuild after a logic-version bump (" + rebuild.snapshots() + " snapshots)",
          String.format("%,.0f events/s (%.1f s after the last store was restored%s; restore %.1f s)",
              rebuild.eventsPerSecond(), rebuild.rebuildSeconds(),
              rebuild.overlap() ? ", some rebuilt before: an upper bound" : "",
              rebuild.restoreSeconds()),
          ratio(rebuild.eventsPerSecond(), eventRead.perSecond()) + " of consumer");
      row("Memory after the backlog (app JVM; broker in its own JVM)", memory, "");
      row("Start-up to first commit: baseline / aggregate", String.format("%.1f s / %.1f s",
          baseline.startupSeconds(), backlog.startupSeconds()), "");
    }
  }

  /**
   * Runs every workload that keeps a code path of this JVM busy once, on topics of its own and
   * unmeasured. The runner's JVM hosts every application one after another; without this the
   * first ones share the 2 cores with the JIT compiler (its threads took 0.7-1 core for the first
   * minute of a run), which made whichever application ran first look up to twice as slow.
   */
  private void warmUp(String bootstrap, AvroSerde serde) throws Exception {
    int commands = options.warmupCommands();
    int accounts = Math.max(1, Math.min(options.accounts(), commands / 10));
    AggregateDefinition<BankAccountState> aggregate =
        AggregateDefinition.of(WARMUP, BankAccount.decider());
    String topic = aggregate.topics().commands();
    int partitions = options.partitions();
    step("JIT warm-up: every workload once on " + commands + " commands of its own, unmeasured");
    CommandLoad.produce(bootstrap, topic, serde, commands, accounts);
    RawConsumer.readToEnd(bootstrap, topic, partitions);
    try (GroupProgress progress = new GroupProgress(bootstrap)) {
      Map<TopicPartition, Long> ends = progress.endOffsets(topic, partitions);
      runPassthrough(bootstrap, topic, WARMUP_PASSTHROUGH_OUT, "bench-warmup-passthrough",
          progress, ends);
      runShape(AggregateShapeApp.Shape.FULL, bootstrap, topic, WARMUP_SHAPE,
          "bench-warmup-shape", progress, ends);
      try (AggregateApp<BankAccountState> app = AggregateApp.create(aggregate, serde,
          appOptions(bootstrap, "bench-warmup-aggregate", options.commitInterval())).start()) {
        progress.await("bench-warmup-aggregate", ends, System.nanoTime(), MAX_WAIT);
      }
      String events = aggregate.topics().events();
      RawConsumer.Read eventRead = RawConsumer.readToEnd(bootstrap, events, partitions);
      ReplayLoad.accountBalances(bootstrap, events, "bench-warmup-replay-jdbc", serde, eventRead,
          accounts, options.replayBatch(), progress);
      ReplayLoad.counting(bootstrap, events, "bench-warmup-replay-count", serde, eventRead,
          options.replayBatch(), progress);
    }
  }

  private GroupProgress.Rate runPassthrough(String bootstrap, String input, String output,
      String group, GroupProgress progress, Map<TopicPartition, Long> ends) throws Exception {
    Path stateDir = Files.createTempDirectory("eskafka-bench-passthrough-");
    try {
      long started = System.nanoTime();
      try (KafkaStreams streams = PassthroughApp.create(input, output,
          appOptions(bootstrap, group, options.commitInterval()), stateDir)) {
        streams.start();
        return jitNoted(group, () -> progress.await(group, ends, started, MAX_WAIT));
      }
    } finally {
      DirectoryTree.deleteQuietly(stateDir);
    }
  }

  /**
   * Runs a throughput workload and notes how long the JIT compiler worked meanwhile (printed, and
   * kept for its row: {@link #rate(double, String, String)}).
   */
  private GroupProgress.Rate jitNoted(String group, Callable<GroupProgress.Rate> workload)
      throws Exception {
    long before = JitTime.compileMillis();
    long started = System.nanoTime();
    GroupProgress.Rate rate = workload.call();
    if (before >= 0) {
      String note = String.format("JIT compiling %.1f s of its %.1f s",
          (JitTime.compileMillis() - before) / 1e3, (System.nanoTime() - started) / 1e9);
      jitNotes.put(group, note);
      out.printf("      (%s)%n", note);
    }
    return rate;
  }

  private GroupProgress.Rate runShape(AggregateShapeApp.Shape variant, String bootstrap,
      String commands, AggregateTopics topics, String group, GroupProgress progress,
      Map<TopicPartition, Long> ends) throws Exception {
    Path stateDir = Files.createTempDirectory("eskafka-bench-shape-");
    try {
      long started = System.nanoTime();
      try (KafkaStreams streams = AggregateShapeApp.create(variant, commands, topics.events(),
          topics.commandResults(), appOptions(bootstrap, group, options.commitInterval()),
          stateDir)) {
        streams.start();
        return jitNoted(group, () -> progress.await(group, ends, started, MAX_WAIT));
      }
    } finally {
      DirectoryTree.deleteQuietly(stateDir);
    }
  }

  private AppOptions appOptions(String bootstrap, String applicationId, Duration commit) {
    return AppOptions.of(bootstrap, applicationId)
        .withStreamThreads(options.threads())
        .withCommitInterval(commit)
        .withKafkaOverrides(options.kafkaConfig());
  }

  // A benchmark of a wrong result is worthless: check a sample of final states.
  private void verify(AggregateApp<BankAccountState> app) {
    int accounts = options.accounts();
    for (int n : new int[] {0, 1, accounts / 2, accounts - 1}) {
      StreamState<BankAccountState> state = app.currentState(CommandLoad.account(n)).orElseThrow(
          () -> new IllegalStateException("account " + n + " missing after the backlog"));
      long versions = CommandLoad.commandsFor(n, options.commands(), accounts);
      long balance = CommandLoad.balanceFor(n, options.commands(), accounts);
      if (state.version() != versions || state.state().getBalanceCents() != balance) {
        throw new IllegalStateException("account " + n + ": version " + state.version()
            + ", balance " + state.state().getBalanceCents() + "; expected " + versions + ", "
            + balance);
      }
    }
    step("verified final versions and balances of a sample of accounts");
  }

  private static String memory(BrokerProcess broker) throws IOException {
    System.gc();
    Runtime runtime = Runtime.getRuntime();
    long heap = (runtime.totalMemory() - runtime.freeMemory()) >> 20;
    String text = String.format("heap %d MiB after GC, RSS %d MiB", heap,
        rssKiB(Path.of("/proc/self/status")) >> 10);
    if (broker != null) {
      text += String.format("; broker RSS %d MiB",
          rssKiB(Path.of("/proc/" + broker.pid() + "/status")) >> 10);
    }
    return text;
  }

  private static long rssKiB(Path status) throws IOException {
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private void readRows(StreamReadLoad.Outcome outcome, String when, String note) {
    String cpu = String.format(" (CPU %.0f %% busy%s)", outcome.cpuBusy() * 100, note);
    row("Read one stream of " + outcome.events() + " events (local index), " + when
        + ": p50 / p99", String.format("%.2f / %.2f ms", StreamReadLoad.Outcome.millis(
            outcome.read(), 50), StreamReadLoad.Outcome.millis(outcome.read(), 99)) + cpu,
        "target p99 <= 5 ms");
    row("State at v" + outcome.events() / 2 + " of that stream (replay), " + when + ": p50 / p99",
        String.format("%.2f / %.2f ms", StreamReadLoad.Outcome.millis(outcome.replay(), 50),
            StreamReadLoad.Outcome.millis(outcome.replay(), 99)), "");
  }

  private static String latencyLabel(double rate, String load, Duration commit) {
    return String.format("Round trip at %.0f commands/s (%s), %d ms commits: p50 / p99 / p99.9",
        rate, load, commit.toMillis());
  }

  private static String latency(GatewayLoad.Outcome outcome) {
    return String.format("%.1f / %.1f / %.1f ms%s (p99 to the decision %d ms, after it %d ms; "
            + "CPU %.0f %% busy)", outcome.percentileMillis(50), outcome.percentileMillis(99),
        outcome.percentileMillis(99.9), failures(outcome),
        outcome.toDecision().getValueAtPercentile(99),
        outcome.afterDecision().getValueAtPercentile(99), outcome.cpuBusy() * 100);
  }

  private static String failures(GatewayLoad.Outcome outcome) {
    return outcome.failed() == 0 ? "" : " (" + outcome.failed() + " failed)";
  }

  private static String rate(double value, String unit) {
    return String.format("%,.0f %s", value, unit);
  }

  /** A throughput workload's rate, with the JIT compiler's work during it. */
  private String rate(double value, String unit, String group) {
    String note = jitNotes.get(group);
    return rate(value, unit) + (note == null ? "" : " (" + note + ")");
  }

  private static String ratio(double value, double base) {
    return String.format("%.2f", value / base);
  }

  private void row(String workload, String figure, String ratio) {
    rows.add(new String[] {workload, figure, ratio});
  }

  private void step(String what) {
    out.printf("  ... %s%n", what);
  }

  private void printTable() {
    out.println();
    out.println("| workload | figure | ratio |");
    out.println("|---|---|---|");
    for (String[] row : rows) {
      out.printf("| %s | %s | %s |%n", row[0], row[1], row[2]);
    }
  }
}
