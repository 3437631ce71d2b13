package io.eskafka.cli;

import io.eskafka.kafka.Deployment;
import io.eskafka.runtime.AppRuntime;
import io.eskafka.runtime.Settings;
import io.eskafka.runtime.StartupException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code eskafka run <app>}: runs an app's aggregates and its HTTP API until SIGTERM/Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs an app (its aggregates as Kafka Streams applications) with its HTTP API "
        + "until SIGTERM or Ctrl-C. Run more instances with the same settings to share the "
        + "partitions. Creates missing topics (topics.apply=true) and refuses topics that do not "
        + "match."},
    footer = {"%nExit codes: 0 stopped, 1 could not start (one line naming the cause), 2 usage."})
final class RunCommand implements Callable<Integer> {

  @ParentCommand
  private Eskafka root;

  @Mixin
  SettingsOptions settings;

  @Parameters(index = "0", paramLabel = "APP",
      description = "The app: a registered name (e.g. bank) or an io.eskafka.kafka.EskafkaApp class.")
  String app;

  @Option(names = "--http-port", description = "HTTP port (http.port; default 8080, 0: any free).")
  Integer httpPort;

  @Option(names = "--application-id",
      description = "Kafka Streams application id prefix (application.id; default: the app's name).")
  String applicationId;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "RocksDB state directory (state.dir; default: temporary, restored from Kafka).")
  Path stateDir;

  @Option(names = "--threads", description = "Stream threads per aggregate (threads; default 1).")
  Integer threads;

  @Override
  public Integer call() throws InterruptedException {
    Deployment deployment = Eskafka.deployment(app);
    Map<String, String> flags = new LinkedHashMap<>();
    if (httpPort != null) {
      flags.put("http.port", httpPort.toString());
    }
    if (applicationId != null) {
      flags.put("application.id", applicationId);
    }
    if (stateDir != null) {
      flags.put("state.dir", stateDir.toString());
    }
    if (threads != null) {
      flags.put("threads", threads.toString());
    }
    Settings resolved = settings.resolve(root.environment(), flags);
    root.out().printf("%-10s: %s (aggregates %s)%n", "app", deployment.name(),
        deployment.aggregateNames());
    root.out().flush();
    AppRuntime runtime;
    try {
      runtime = AppRuntime.start(deployment, resolved, line -> {
        root.out().println(line);
        root.out().flush();
      });
    } catch (StartupException e) {
      throw new CliException("cannot start " + deployment.name() + ": " + e.getMessage(),
          ExitCode.ERROR);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      root.out().println("stopping " + deployment.name() + " (closing Kafka Streams: open "
          + "transactions commit or abort) ...");
      root.out().flush();
      long started = System.nanoTime();
      runtime.close();
      root.out().printf("stopped %s in %d ms%n", deployment.name(),
          (System.nanoTime() - started) / 1_000_000);
      root.out().flush();
      stopped.countDown();
    }, "eskafka-run-shutdown"));
    root.out().println("ready. Ctrl-C or SIGTERM to stop.");
    root.out().flush();
    stopped.await();
    return ExitCode.OK;
  }
}
