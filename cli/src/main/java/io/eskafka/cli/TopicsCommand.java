package io.eskafka.cli;

import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.TopicApplier;
import io.eskafka.kafka.TopicMismatchException;
import io.eskafka.kafka.TopicSpec;
import io.eskafka.runtime.Settings;
import io.eskafka.runtime.StartupChecks;
import io.eskafka.runtime.StartupException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code eskafka topics apply|describe <app>}. */
@Command(name = "topics", mixinStandardHelpOptions = true,
    description = "Creates or describes an app's topics (four per aggregate).",
    footer = {"%nExit codes: see 'eskafka topics apply --help' and 'eskafka topics describe --help'."},
    subcommands = {TopicsCommand.Apply.class, TopicsCommand.Describe.class})
final class TopicsCommand implements Runnable {

  @ParentCommand
  Eskafka root;

  @Override
  public void run() {
    throw new CliException("say which: eskafka topics apply <app> | eskafka topics describe <app>",
        ExitCode.USAGE);
  }

  /** {@code topics apply}. */
  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Creates the app's missing topics (topics.partitions, "
          + "topics.replication.factor) and checks the existing ones; changes nothing when one "
          + "differs.",
      footer = {"%nExit codes: 0 all topics as specified, 1 a topic differs or Kafka is "
          + "unreachable, 2 usage."})
  static final class Apply implements Callable<Integer> {

    @ParentCommand
    TopicsCommand parent;

    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", paramLabel = "APP", description = "The app (e.g. bank).")
    String app;

    @Override
    public Integer call() {
      Deployment deployment = Eskafka.deployment(app);
      Settings resolved = settings.resolve(parent.root.environment(), Map.of());
      check(resolved);
      try (TopicApplier applier = new TopicApplier(resolved.adminConfig())) {
        for (AggregateDefinition<?> aggregate : deployment.aggregates()) {
          TopicApplier.Result result = applier.apply(specs(aggregate, resolved));
          for (String topic : aggregate.topics().names()) {
            parent.root.out().printf("%-40s %s%n", topic,
                result.created().contains(topic) ? "created" : "exists, matches");
          }
        }
      } catch (TopicMismatchException e) {
        throw new CliException(e.getMessage(), ExitCode.ERROR);
      } catch (KafkaException e) {
        throw new CliException("cannot apply topics at " + resolved.bootstrapServers() + ": "
            + e.getMessage(), ExitCode.ERROR);
      }
      return ExitCode.OK;
    }
  }

  /** {@code topics describe}. */
  @Command(name = "describe", mixinStandardHelpOptions = true,
      description = "Shows the app's topics as they are on the cluster and whether they match "
          + "their specs.",
      footer = {"%nExit codes: 0 all exist and match, 1 one is missing or differs, or Kafka is "
          + "unreachable, 2 usage."})
  static final class Describe implements Callable<Integer> {

    @ParentCommand
    TopicsCommand parent;

    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", paramLabel = "APP", description = "The app (e.g. bank).")
    String app;

    @Override
    public Integer call() throws InterruptedException {
      Deployment deployment = Eskafka.deployment(app);
      Settings resolved = settings.resolve(parent.root.environment(), Map.of());
      check(resolved);
      List<String> problems = new ArrayList<>();
      parent.root.out().printf("%-40s %10s %8s  %-14s %14s  %s%n", "topic", "partitions",
          "replicas", "cleanup.policy", "retention.ms", "matches spec");
      try (Admin admin = Admin.create(resolved.adminConfig())) {
        for (AggregateDefinition<?> aggregate : deployment.aggregates()) {
          for (TopicSpec spec : specs(aggregate, resolved)) {
            describe(admin, spec, problems);
          }
        }
      } catch (ExecutionException | TimeoutException e) {
        throw new CliException("cannot describe topics at " + resolved.bootstrapServers() + ": "
            + e, ExitCode.ERROR);
      }
      if (!problems.isEmpty()) {
        throw new CliException(String.join("; ", problems), ExitCode.ERROR);
      }
      return ExitCode.OK;
    }

    private void describe(Admin admin, TopicSpec spec, List<String> problems)
        throws ExecutionException, TimeoutException, InterruptedException {
      TopicDescription description;
      try {
        description = admin.describeTopics(List.of(spec.name())).allTopicNames()
            .get(30, TimeUnit.SECONDS).get(spec.name());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          parent.root.out().printf("%-40s %s%n", spec.name(), "missing");
          problems.add("topic " + spec.name() + " does not exist (eskafka topics apply)");
          return;
        }
        throw e;
      }
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
      Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
          .get(resource);
      int partitions = description.partitions().size();
      int replicas = description.partitions().get(0).replicas().size();
      String cleanup = config.get("cleanup.policy").value();
      String retention = config.get("retention.ms").value();
      List<String> differences = new ArrayList<>();
      if (partitions != spec.partitions()) {
        differences.add("partitions " + partitions + " (spec " + spec.partitions() + ")");
      }
      spec.configs().forEach((key, wanted) -> {
        String actual = config.get(key) == null ? null : config.get(key).value();
        if (!wanted.equals(actual)) {
          differences.add(key + "=" + actual + " (spec " + wanted + ")");
        }
      });
      parent.root.out().printf("%-40s %10d %8d  %-14s %14s  %s%n", spec.name(), partitions,
          replicas, cleanup, retention, differences.isEmpty() ? "yes" : "NO: " + differences);
      if (!differences.isEmpty()) {
        problems.add("topic " + spec.name() + " differs: " + String.join(", ", differences));
      }
    }
  }

  private static List<TopicSpec> specs(AggregateDefinition<?> aggregate, Settings settings) {
    return aggregate.topics().specs(settings.topicPartitions(), settings.topicReplicationFactor());
  }

  private static void check(Settings settings) {
    try {
      StartupChecks.kafka(settings);
    } catch (StartupException e) {
      throw new CliException(e.getMessage(), ExitCode.ERROR);
    }
  }
}
