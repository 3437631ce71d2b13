package io.eskafka.cli;

import io.eskafka.testing.DevSchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code eskafka dev}: a single-node Kafka broker (and the dev schema registry) until Ctrl-C. */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = {"Runs a single-node Kafka broker (KRaft) in this process on a fixed port, and the "
        + "dev schema registry (Apicurio, in memory) beside it, until Ctrl-C. For development only: "
        + "it listens on 127.0.0.1."},
    footer = {"%nExit codes: 0 stopped by Ctrl-C/SIGTERM, 1 could not start, 2 usage."})
final class DevCommand implements Callable<Integer> {

  /** System property naming the registry's runnable jar; bin/eskafka sets it. */
  static final String REGISTRY_JAR_PROPERTY = DevSchemaRegistry.JAR_PROPERTY;

  @ParentCommand
  private Eskafka root;

  @Option(names = {"-p", "--port"}, defaultValue = "9092",
      description = "Kafka client port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Keep the broker's data here across restarts (default: a temporary directory "
          + "deleted on exit).")
  Path dataDir;

  @Option(names = "--registry", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also run the dev schema registry (default: yes; --no-registry to skip).")
  boolean registry;

  @Option(names = "--registry-port", defaultValue = "8081",
      description = "Registry port (default ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(names = "--registry-jar", paramLabel = "JAR",
      description = "The registry's runnable jar (default: the system property "
          + REGISTRY_JAR_PROPERTY + ", which bin/eskafka sets to "
          + "dev-registry/target/eskafka-dev-registry-*-runner.jar).")
  Path registryJar;

  @Override
  public Integer call() throws InterruptedException {
    Path jar = registry ? registryJar() : null;
    EmbeddedKafka kafka;
    try {
      kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withPort(port)
          .withDataDirectory(dataDir));
    } catch (RuntimeException e) {
      throw new CliException("cannot start Kafka on port " + port + ": " + e.getMessage(),
          ExitCode.ERROR);
    }
    DevSchemaRegistry devRegistry = null;
    CountDownLatch stopped = new CountDownLatch(1);
    try {
      root.out().printf("kafka     : %s (KRaft, single node, ready in %d ms; data in %s%s)%n",
          kafka.bootstrapServers(), kafka.startupDuration().toMillis(), kafka.dataDirectory(),
          dataDir == null ? ", deleted on exit" : "");
      if (jar != null) {
        try {
          devRegistry = DevSchemaRegistry.start(jar, registryPort,
              DevSchemaRegistry.DEFAULT_STARTUP_TIMEOUT);
        } catch (RuntimeException e) {
          throw new CliException("cannot start the schema registry on port " + registryPort + ": "
              + e.getMessage().lines().findFirst().orElse(""), ExitCode.ERROR);
        }
        root.out().printf("registry  : %s (Apicurio, in memory, ready in %d ms)%n",
            devRegistry.url(), devRegistry.startupDuration().toMillis());
      }
      root.out().println("Ctrl-C to stop.");
      root.out().flush();
      DevSchemaRegistry registryToStop = devRegistry;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        if (registryToStop != null) {
          registryToStop.close();
        }
        kafka.close();
        root.out().println("stopped.");
        root.out().flush();
        stopped.countDown();
      }, "eskafka-dev-shutdown"));
    } catch (RuntimeException e) {
      if (devRegistry != null) {
        devRegistry.close();
      }
      kafka.close();
      throw e;
    }
    stopped.await();
    return ExitCode.OK;
  }

  private Path registryJar() {
    Path jar = registryJar;
    if (jar == null) {
      String property = System.getProperty(REGISTRY_JAR_PROPERTY);
      if (property == null || property.isBlank()) {
        throw new CliException("no dev registry jar: pass --registry-jar (the jar built by the "
            + "dev-registry module, dev-registry/target/eskafka-dev-registry-*-runner.jar; bin/eskafka "
            + "finds it) or --no-registry", ExitCode.ERROR);
      }
      jar = Path.of(property);
    }
    if (!Files.isRegularFile(jar)) {
      throw new CliException("dev registry jar " + jar + " does not exist: build it with "
          + "mvn -B -DskipTests package, or pass --no-registry", ExitCode.ERROR);
    }
    return jar;
  }
}
