package io.eskafka.cli;

import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.EskafkaApp;
import io.eskafka.runtime.UnknownNameException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code eskafka} command line: {@code dev}, {@code run}, {@code topics}, {@code schemas},
 * {@code send}, {@code stream}, {@code projection}. Add a
 * command by writing a picocli {@code @Command} class that takes this as its {@code
 * @ParentCommand} and listing it in {@code subcommands} below.
 *
 * <p>One instance per invocation; not thread-safe.
 */
@Command(name = "eskafka", mixinStandardHelpOptions = true, versionProvider = Eskafka.Version.class,
    description = "Event sourcing on Kafka Streams: a dev broker, run an app with its HTTP API, "
        + "manage its topics, send commands, read streams.",
    subcommands = {DevCommand.class, RunCommand.class, TopicsCommand.class, SchemasCommand.class,
        SendCommand.class, StreamCommand.class, ProjectionCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"%nExit codes: 0 ok, 1 error, 2 usage, 3 rejected, 4 conflict, 5 failed, 6 timeout."})
public final class Eskafka implements Runnable {

  private final Map<String, String> environment;
  private final PrintWriter out;
  private final PrintWriter err;

  /**
   * @param environment the environment to read {@code ESKAFKA_*} settings from
   * @param out where results go
   * @param err where errors go
   */
  public Eskafka(Map<String, String> environment, PrintWriter out, PrintWriter err) {
    this.environment = Map.copyOf(environment);
    this.out = out;
    this.err = err;
  }

  /**
   * Runs {@code eskafka} with these arguments and exits with its exit code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = new Eskafka(System.getenv(), out, err).execute(args);
    out.flush();
    err.flush();
    // Kafka client threads may outlive their close() by a moment; the command is over.
    System.exit(code);
  }

  /**
   * Runs one invocation.
   *
   * @param args the arguments
   * @return the exit code ({@link ExitCode})
   */
  public int execute(String... args) {
    CommandLine line = new CommandLine(this);
    line.setOut(out);
    line.setErr(err);
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof CliException cli) {
        err.println("eskafka: " + cli.getMessage());
        return cli.exitCode();
      }
      err.println("eskafka: " + e);
      e.printStackTrace(err);
      return ExitCode.ERROR;
    });
    return line.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(out);
  }

  Map<String, String> environment() {
    return environment;
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  /** The deployment named on the command line (registered name or class name). */
  static Deployment deployment(String nameOrClass) {
    try {
      return EskafkaApp.find(nameOrClass, Eskafka.class.getClassLoader());
    } catch (IllegalArgumentException | ServiceConfigurationError e) {
      throw new CliException(e.getMessage(), ExitCode.ERROR);
    }
  }

  /** The aggregate of that name among the installed apps. */
  static AggregateDefinition<?> aggregate(String name) {
    List<String> known = new ArrayList<>();
    for (Deployment deployment : EskafkaApp.installed(Eskafka.class.getClassLoader())) {
      for (AggregateDefinition<?> aggregate : deployment.aggregates()) {
        if (aggregate.name().equals(name)) {
          return aggregate;
        }
        known.add(aggregate.name() + " (app " + deployment.name() + ")");
      }
    }
    throw new CliException(new UnknownNameException("aggregate", name, known).getMessage(),
        ExitCode.ERROR);
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Eskafka.class.getPackage().getImplementationVersion();
      return new String[] {"eskafka " + (version == null ? "(development build)" : version)};
    }
  }
}
