package io.eskafka.cli;

import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.SchemaRegistration;
import io.eskafka.kafka.SchemaRegistration.IncompatibleSchemasException;
import io.eskafka.kafka.SchemaRegistration.Status;
import io.eskafka.kafka.SchemaRegistration.SubjectReport;
import io.eskafka.kafka.SchemaRegistration.SubjectSchema;
import io.eskafka.kafka.serde.HttpSchemaRegistry;
import io.eskafka.kafka.serde.SchemaRegistryException;
import io.eskafka.runtime.Settings;
import io.eskafka.runtime.StartupChecks;
import io.eskafka.runtime.StartupException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code eskafka schemas check|register <app>}: the schemas an app writes against a live registry,
 * for deployments whose apps run with {@code registry.auto.register=false}.
 */
@Command(name = "schemas", mixinStandardHelpOptions = true,
    description = "Checks or registers the schemas an app writes (commands, events, state, the "
        + "toolkit's own records) against a live schema registry.",
    footer = {"%nExit codes: see 'eskafka schemas check --help' and 'eskafka schemas register "
        + "--help'."},
    subcommands = {SchemasCommand.Check.class, SchemasCommand.Register.class})
final class SchemasCommand implements Runnable {

  @ParentCommand
  Eskafka root;

  @Override
  public void run() {
    throw new CliException("say which: eskafka schemas check <app> | eskafka schemas register <app>",
        ExitCode.USAGE);
  }

  /** {@code schemas check}. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Reports per subject: REGISTERED, NEW_SUBJECT, NEW_VERSION or INCOMPATIBLE "
          + "(commands FULL_TRANSITIVE; events, state and the toolkit's records "
          + "BACKWARD_TRANSITIVE, against every registered version; plus the registry's own "
          + "compatibility check). Changes nothing.",
      footer = {"%nExit codes: 0 nothing incompatible, 1 a subject is incompatible or the "
          + "registry is unreachable, 2 usage."})
  static final class Check implements Callable<Integer> {

    @ParentCommand
    SchemasCommand parent;

    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", paramLabel = "APP", description = "The app (e.g. bank).")
    String app;

    @Override
    public Integer call() {
      Settings resolved = settings.resolve(parent.root.environment(), Map.of());
      List<SubjectReport> reports =
          run(resolved, subjects(Eskafka.deployment(app), resolved), SchemaRegistration::check);
      print(reports);
      long incompatible = reports.stream().filter(r -> r.status() == Status.INCOMPATIBLE).count();
      if (incompatible > 0) {
        throw new CliException(incompatible + " of " + reports.size() + " subjects incompatible",
            ExitCode.ERROR);
      }
      return ExitCode.OK;
    }

    private void print(List<SubjectReport> reports) {
      reports.forEach(report -> parent.root.out().println(report.summary()));
    }
  }

  /** {@code schemas register}. */
  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Runs the check, then, when no subject is incompatible, registers the new "
          + "subjects and versions. Idempotent; registers nothing when one subject fails.",
      footer = {"%nExit codes: 0 all registered, 1 a subject is incompatible (nothing "
          + "registered) or the registry failed, 2 usage."})
  static final class Register implements Callable<Integer> {

    @ParentCommand
    SchemasCommand parent;

    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", paramLabel = "APP", description = "The app (e.g. bank).")
    String app;

    @Override
    public Integer call() {
      Settings resolved = settings.resolve(parent.root.environment(), Map.of());
      List<SubjectSchema> subjects = subjects(Eskafka.deployment(app), resolved);
      List<SubjectReport> reports;
      try {
        reports = run(resolved, subjects, SchemaRegistration::register);
      } catch (IncompatibleSchemasException e) {
        e.reports().forEach(report -> parent.root.out().println(report.summary()));
        throw new CliException(e.getMessage(), ExitCode.ERROR);
      }
      for (SubjectReport report : reports) {
        parent.root.out().println(report.status() == Status.REGISTERED
            ? report.summary()
            : report.subject() + ": registered id " + report.id() + " (was " + report.status()
                + ")");
      }
      return ExitCode.OK;
    }
  }

  /** Every subject of every aggregate of the deployment, under the application ids run uses. */
  private static List<SubjectSchema> subjects(Deployment deployment, Settings settings) {
    List<SubjectSchema> subjects = new ArrayList<>();
    for (AggregateDefinition<?> aggregate : deployment.aggregates()) {
      String applicationId =
          settings.appOptions(deployment.name(), aggregate.name()).applicationId();
      subjects.addAll(SchemaRegistration.subjectsOf(aggregate, applicationId));
    }
    return subjects;
  }

  private interface RegistryStep {
    List<SubjectReport> apply(HttpSchemaRegistry registry, List<SubjectSchema> subjects);
  }

  private static List<SubjectReport> run(Settings settings, List<SubjectSchema> subjects,
      RegistryStep step) {
    HttpSchemaRegistry registry = HttpSchemaRegistry.create(settings.registryOptions());
    try {
      StartupChecks.registry(registry, settings.registryUrl());
      return step.apply(registry, subjects);
    } catch (StartupException e) {
      throw new CliException(e.getMessage(), ExitCode.ERROR);
    } catch (SchemaRegistryException e) {
      throw new CliException("schema registry at " + settings.registryUrl() + ": "
          + e.getMessage(), ExitCode.ERROR);
    }
  }
}
