package io.eskafka.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one benchmark run, parsed from the command line.
 *
 * @param bootstrap an existing cluster, or {@code null} for an embedded broker in a child JVM
 * @param commands commands per throughput workload (the first {@code accounts} open accounts)
 * @param accounts distinct streams
 * @param partitions partitions of the command and event topics
 * @param threads stream threads of each Kafka Streams application
 * @param commitInterval exactly-once commit interval of both applications
 * @param loadDuration duration of each gateway workload; zero skips them
 * @param inFlight closed-loop concurrency levels through the gateway
 * @param lowLatencyCommit commit interval of the extra latency run, or {@code null} to skip it
 * @param replayBatch the projections' batch size in the replay workloads
 * @param kafkaConfig raw Kafka Streams configs given to the baseline and the aggregate alike
 * @param shapeVariants whether the two variants of the aggregate's Kafka work (an index with a
 *     changelog of its own, no index) run too; the one matching the aggregate always runs
 * @param warmupCommands commands of the JIT warm-up that runs every workload once on topics of its
 *     own before anything is measured (0: none)
 */
record BenchOptions(String bootstrap, int commands, int accounts, int partitions, int threads,
    Duration commitInterval, Duration loadDuration, List<Integer> inFlight,
    Duration lowLatencyCommit, int replayBatch, Map<String, String> kafkaConfig,
    boolean shapeVariants, int warmupCommands) {

  static final String USAGE = """
      usage: BenchMain [--bootstrap host:port] [--commands N] [--accounts N] [--partitions N]
                       [--threads N] [--commit-interval-ms N] [--load-seconds N]
                       [--in-flight k1,k2,...] [--low-latency-commit-ms N|0] [--replay-batch N]
                       [--kafka-config key=value,...] [--shape-variants true|false]
                       [--warmup-commands N|0]
      defaults: embedded broker in a child JVM, 1000000 commands, 10000 accounts, 4 partitions,
                2 stream threads, 100 ms commits, 20 s per gateway workload (0 skips the
                gateway workloads: the scale run), in-flight 256,2048,
                extra latency run with 20 ms commits (its own closed-loop maximum, then
                half and a quarter of it), replays in batches of 500 (the
                projection runner's default); --kafka-config passes Kafka Streams configs
                (e.g. producer.linger.ms=5) to the baseline and the aggregate alike;
                --shape-variants false skips the two other variants of the aggregate's
                Kafka work (shorter scale runs); --warmup-commands (default 500000)
                runs every workload once on topics of its own first, unmeasured, so that
                the JIT compiler is done before the measured ones (0: no warm-up)""";

  static BenchOptions parse(String[] args) {
    String bootstrap = null;
    int commands = 1_000_000;
    int accounts = 10_000;
    int partitions = 4;
    int threads = 2;
    long commitMs = 100;
    long loadSeconds = 20;
    List<Integer> inFlight = List.of(256, 2048);
    long lowLatencyMs = 20;
    int replayBatch = io.eskafka.kafka.ProjectionOptions.DEFAULT_MAX_BATCH_SIZE;
    Map<String, String> kafkaConfig = new LinkedHashMap<>();
    boolean shapeVariants = true;
    int warmupCommands = 500_000;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
      }
      String value = args[++i];
      try {
        switch (name) {
          case "--bootstrap" -> bootstrap = value;
          case "--commands" -> commands = positive(name, Integer.parseInt(value));
          case "--accounts" -> accounts = positive(name, Integer.parseInt(value));
          case "--partitions" -> partitions = positive(name, Integer.parseInt(value));
          case "--threads" -> threads = positive(name, Integer.parseInt(value));
          case "--commit-interval-ms" -> commitMs = positive(name, Integer.parseInt(value));
          case "--load-seconds" -> loadSeconds = Integer.parseInt(value); // 0: no gateway runs
          case "--low-latency-commit-ms" -> lowLatencyMs = Integer.parseInt(value);
          case "--warmup-commands" -> warmupCommands = Integer.parseInt(value);
          case "--replay-batch" -> replayBatch = positive(name, Integer.parseInt(value));
          case "--shape-variants" -> {
            if (!value.equals("true") && !value.equals("false")) {
              throw new IllegalArgumentException(name + ": '" + value + "' is not true or false\n"
                  + USAGE);
            }
            shapeVariants = Boolean.parseBoolean(value);
          }
          case "--kafka-config" -> {
            for (String pair : value.split(",")) {
              int eq = pair.indexOf('=');
              if (eq <= 0) {
                throw new IllegalArgumentException(name + ": '" + pair
                    + "' is not key=value\n" + USAGE);
              }
              kafkaConfig.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
          }
          case "--in-flight" -> {
            List<Integer> levels = new ArrayList<>();
            for (String level : value.split(",")) {
              levels.add(positive(name, Integer.parseInt(level.trim())));
            }
            inFlight = List.copyOf(levels);
          }
          default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + ": '" + value + "' is not a number\n" + USAGE);
      }
    }
    if (loadSeconds < 0) {
      throw new IllegalArgumentException("--load-seconds must not be negative, got " + loadSeconds);
    }
    if (warmupCommands < 0 || warmupCommands > 0 && warmupCommands < 10) {
      throw new IllegalArgumentException("--warmup-commands must be 0 (no warm-up) or at least 10, "
          + "got " + warmupCommands);
    }
    if (commands <= accounts) {
      throw new IllegalArgumentException("--commands (" + commands + ") must exceed --accounts ("
          + accounts + "): each account is opened once, then receives deposits");
    }
    return new BenchOptions(bootstrap, commands, accounts, partitions, threads,
        Duration.ofMillis(commitMs), Duration.ofSeconds(loadSeconds), inFlight,
        lowLatencyMs > 0 ? Duration.ofMillis(lowLatencyMs) : null, replayBatch,
        Map.copyOf(kafkaConfig), shapeVariants, warmupCommands);
  }

  private static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }
}
