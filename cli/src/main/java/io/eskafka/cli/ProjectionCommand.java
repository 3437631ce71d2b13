package io.eskafka.cli;

import io.eskafka.kafka.ProjectionAdmin;
import io.eskafka.kafka.ProjectionStatus;
import io.eskafka.kafka.ProjectionStatus.PartitionStatus;
import io.eskafka.kafka.ResetRefusedException;
import io.eskafka.kafka.ResetResult;
import io.eskafka.kafka.ResetTarget;
import io.eskafka.runtime.Settings;
import io.eskafka.runtime.StartupChecks;
import io.eskafka.runtime.StartupException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code eskafka projection list|status|reset}: projections are consumer groups, so everything
 * here works from Kafka alone (group offsets, members, the state runners put in their commits),
 * for runners in any JVM.
 */
@Command(name = "projection", mixinStandardHelpOptions = true,
    description = "Lists projections, shows their state and lag, resets one to replay it.",
    footer = {"%nExit codes: see the --help of each subcommand."},
    subcommands = {ProjectionCommand.ListGroups.class, ProjectionCommand.Status.class,
        ProjectionCommand.Reset.class})
final class ProjectionCommand implements Runnable {

  @ParentCommand
  Eskafka root;

  @Override
  public void run() {
    throw new CliException("say which: eskafka projection list | status [NAME] | reset NAME ...",
        ExitCode.USAGE);
  }

  /** {@code projection list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists the projection consumer groups of the cluster.",
      footer = {"%nExit codes: 0 ok, 1 Kafka unreachable, 2 usage."})
  static final class ListGroups implements Callable<Integer> {

    @ParentCommand
    ProjectionCommand parent;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() {
      try (ProjectionAdmin admin = connect(parent, settings)) {
        admin.list().forEach(parent.root.out()::println);
      } catch (KafkaException e) {
        throw new CliException("cannot list projections: " + e.getMessage(), ExitCode.ERROR);
      }
      return ExitCode.OK;
    }
  }

  /** {@code projection status [NAME] [--watch]}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Shows every projection (or one) with its state (running, replaying, parked "
          + "with its error, stopped, reset pending), members and lag per partition. With --watch "
          + "(one projection), shows a progress bar until it has caught up.",
      footer = {"%nExit codes: 0 ok (--watch: caught up), 1 Kafka unreachable, a parked "
          + "projection, or --watch timed out, 2 usage."})
  static final class Status implements Callable<Integer> {

    @ParentCommand
    ProjectionCommand parent;

    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
        description = "A projection's consumer group (prefix + name); all when omitted.")
    String group;

    @Option(names = "--watch", description = "Follow one projection until its lag is 0.")
    boolean watch;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT10M",
        description = "How long --watch waits, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
      if (watch && group == null) {
        throw new CliException("--watch needs a projection NAME", ExitCode.USAGE);
      }
      try (ProjectionAdmin admin = connect(parent, settings)) {
        if (watch) {
          return watch(admin, parent.root.out());
        }
        List<ProjectionStatus> statuses = group == null ? admin.status() : List.of(admin.status(group));
        boolean parked = false;
        for (ProjectionStatus status : statuses) {
          print(status, parent.root.out());
          parked |= status.state() == ProjectionStatus.State.PARKED;
        }
        if (statuses.isEmpty()) {
          parent.root.out().println("no projections");
        }
        if (parked) {
          throw new CliException("a projection is parked (see its error above)", ExitCode.ERROR);
        }
      } catch (KafkaException e) {
        throw new CliException("cannot read projection status: " + e.getMessage(), ExitCode.ERROR);
      }
      return ExitCode.OK;
    }

    // Progress from Kafka alone: the group's committed offsets against the topics' end offsets.
    private int watch(ProjectionAdmin admin, PrintWriter out) throws InterruptedException {
      ProjectionStatus first = admin.status(group);
      long total = first.totalLag();
      long startedNanos = System.nanoTime();
      long deadline = startedNanos + timeout.toNanos();
      while (true) {
        ProjectionStatus now = admin.status(group);
        long lag = now.totalLag();
        long done = Math.max(0, total - lag);
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        out.println(bar(now.state(), done, total, rate, lag));
        if (now.state() == ProjectionStatus.State.PARKED) {
          throw new CliException("projection " + group + " parked: "
              + now.error().orElse("(no error recorded)"), ExitCode.ERROR);
        }
        if (lag == 0 && now.state() != ProjectionStatus.State.RESET_PENDING) {
          return ExitCode.OK;
        }
        if (System.nanoTime() > deadline) {
          throw new CliException("projection " + group + " still " + lag + " behind after "
              + timeout, ExitCode.TIMEOUT);
        }
        Thread.sleep(1000);
      }
    }

    static String bar(ProjectionStatus.State state, long done, long total, double rate, long lag) {
      int width = 30;
      double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
      int filled = (int) Math.round(fraction * width);
      String eta = rate > 0 && lag > 0 ? String.format("ETA %.0f s", lag / rate) : "ETA -";
      return String.format("[%s%s] %3.0f%% %,d/%,d offsets, %,.0f/s, %s, %s",
          "#".repeat(filled), ".".repeat(width - filled), fraction * 100, done, total, rate, eta,
          state.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** {@code projection reset NAME --to-earliest|--to-datetime|--to-offset}. */
  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = "Resets a stopped projection: its next start clears its read model (JDBC "
          + "projections) and replays from the target. Refused while the group has members.",
      footer = {"%nExit codes: 0 reset (or planned, with --dry-run), 1 refused (active members, "
          + "never committed, unknown partition, offset out of range) or Kafka unreachable, "
          + "2 usage."})
  static final class Reset implements Callable<Integer> {

    @ParentCommand
    ProjectionCommand parent;

    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", paramLabel = "NAME",
        description = "The projection's consumer group (prefix + name).")
    String group;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--dry-run", description = "Show the offsets it would write; change nothing.")
    boolean dryRun;

    static final class Target {
      @Option(names = "--to-earliest", required = true, description = "Replay everything.")
      boolean earliest;

      @Option(names = "--to-datetime", required = true, paramLabel = "ISO-8601",
          description = "Replay from the first event at or after this instant, e.g. "
              + "2026-11-26T09:00:00Z.")
      String datetime;

      @Option(names = "--to-offset", required = true, paramLabel = "[TOPIC:]P:O[,...]",
          description = "Explicit offsets per partition; TOPIC may be left out when the "
              + "projection reads one topic.")
      String offsets;
    }

    @Override
    public Integer call() {
      try (ProjectionAdmin admin = connect(parent, settings)) {
        ResetTarget resetTarget = target(admin);
        ResetResult result = dryRun ? admin.plan(group, resetTarget) : admin.reset(group, resetTarget);
        PrintWriter out = parent.root.out();
        out.println((dryRun ? "would reset " : "reset ") + group + " to " + resetTarget.describe()
            + (dryRun ? "" : " (reset id " + result.resetId() + ")") + ":");
        result.partitions().forEach(partition -> out.println("  " + partition.describe()));
        if (!dryRun) {
          out.println("the next start clears the read model and replays; follow it with: "
              + "eskafka projection status " + group + " --watch");
        }
      } catch (ResetRefusedException e) {
        throw new CliException(e.getMessage(), ExitCode.ERROR);
      } catch (KafkaException e) {
        throw new CliException("cannot reset " + group + ": " + e.getMessage(), ExitCode.ERROR);
      }
      return ExitCode.OK;
    }

    private ResetTarget target(ProjectionAdmin admin) {
      if (target.earliest) {
        return ResetTarget.earliest();
      }
      if (target.datetime != null) {
        try {
          return ResetTarget.at(Instant.parse(target.datetime));
        } catch (DateTimeParseException e) {
          throw new CliException("--to-datetime: '" + target.datetime + "' is not an ISO-8601 "
              + "instant (e.g. 2026-11-26T09:00:00Z)", ExitCode.USAGE);
        }
      }
      return ResetTarget.offsets(offsets(target.offsets, admin));
    }

    private Map<TopicPartition, Long> offsets(String text, ProjectionAdmin admin) {
      List<String> topics = admin.status(group).partitions().stream().map(PartitionStatus::topic)
          .distinct().collect(Collectors.toList());
      Map<TopicPartition, Long> offsets = new HashMap<>();
      for (String entry : text.split(",")) {
        String[] parts = entry.trim().split(":");
        try {
          if (parts.length == 2) {
            if (topics.size() != 1) {
              throw new CliException("--to-offset: '" + entry + "' has no topic, and " + group
                  + " reads " + (topics.isEmpty() ? "no topic yet" : topics)
                  + "; write TOPIC:PARTITION:OFFSET", ExitCode.USAGE);
            }
            offsets.put(new TopicPartition(topics.get(0), Integer.parseInt(parts[0])),
                Long.parseLong(parts[1]));
          } else if (parts.length == 3) {
            offsets.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])),
                Long.parseLong(parts[2]));
          } else {
            throw new NumberFormatException();
          }
        } catch (NumberFormatException e) {
          throw new CliException("--to-offset: '" + entry + "' is not [TOPIC:]PARTITION:OFFSET",
              ExitCode.USAGE);
        }
      }
      return offsets;
    }
  }

  private static void print(ProjectionStatus status, PrintWriter out) {
    out.printf("%s  %s  %d member(s)%s  lag %,d%n", status.groupId(),
        status.state().name().toLowerCase(java.util.Locale.ROOT), status.members().size(),
        status.members().isEmpty() ? "" : " " + status.members().stream()
            .map(m -> m.host() + " (" + m.partitions() + " partitions)")
            .collect(Collectors.joining(", ", "[", "]")),
        status.totalLag());
    status.error().ifPresent(error -> out.println("  error: " + error));
    for (PartitionStatus partition : status.partitions()) {
      out.printf("  %-40s committed %8s  end %8d  lag %8d  %s%n",
          partition.topic() + "-" + partition.partition(),
          partition.committed().isPresent() ? Long.toString(partition.committed().getAsLong()) : "-",
          partition.endOffset(), partition.lag(),
          partition.state().name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  private static ProjectionAdmin connect(ProjectionCommand parent, SettingsOptions settings) {
    Settings resolved = settings.resolve(parent.root.environment(), Map.of());
    try {
      StartupChecks.kafka(resolved);
    } catch (StartupException e) {
      throw new CliException(e.getMessage(), ExitCode.ERROR);
    }
    return ProjectionAdmin.connect(resolved.bootstrapServers(), resolved.kafka());
  }
}
