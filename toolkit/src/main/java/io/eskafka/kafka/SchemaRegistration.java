package io.eskafka.kafka;

import io.eskafka.internal.avro.CommandResultRecord;
import io.eskafka.internal.avro.Snapshot;
import io.eskafka.internal.processor.CommandTopology;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.CompatibilityMode;
import io.eskafka.kafka.serde.RegisteredSchema;
import io.eskafka.kafka.serde.SchemaRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Registers an application's schemas ahead of deployment, for registries where applications run
 * with {@link AvroSerde.Builder#autoRegister(boolean) autoRegister(false)} (production: the
 * application's credentials may only read). {@link #check} runs the evolution gate's rules against
 * what a live registry holds and reports per subject; {@link #register} does the same and, when
 * every subject passes, registers what is missing.
 *
 * <p>Stateless; thread-safety is that of the {@link SchemaRegistry} given.
 */
public final class SchemaRegistration {

  /**
   * One schema an application writes, under its subject, with the rule new versions must follow.
   *
   * @param subject {@code <topic>-<record full name>}, not {@code null}
   * @param schema the schema the application's classes write, not {@code null}
   * @param mode the compatibility every registered version must have with it, not {@code null}
   */
  public record SubjectSchema(String subject, Schema schema, CompatibilityMode mode) {

    /** Validates the parts. */
    public SubjectSchema {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(schema, "schema");
      Objects.requireNonNull(mode, "mode");
    }
  }

  /** Where a subject stands against the registry. */
  public enum Status {
    /** The identical schema is registered: nothing to do. */
    REGISTERED,
    /** The subject does not exist yet: registering creates version 1. */
    NEW_SUBJECT,
    /** A new version that passes the rule against every registered version. */
    NEW_VERSION,
    /** Fails the rule, or the registry's own compatibility setting refuses it. */
    INCOMPATIBLE
  }

  /**
   * The outcome for one subject.
   *
   * @param subject the subject, not {@code null}
   * @param status where it stands, not {@code null}
   * @param id the schema's registry id when {@link Status#REGISTERED} (also after
   *     {@link #register}), else {@code null}
   * @param registeredVersions how many versions the registry held before, ≥ 0
   * @param problem why it is {@link Status#INCOMPATIBLE} (names the versions and Avro's reason),
   *     else {@code null}
   */
  public record SubjectReport(String subject, Status status, Integer id, int registeredVersions,
      String problem) {

    /**
     * One line for a terminal.
     *
     * @return e.g. {@code bank-account.events-…MoneyDeposited: REGISTERED id 7}
     */
    public String summary() {
      return subject + ": " + status + switch (status) {
        case REGISTERED -> " id " + id + " (" + registeredVersions + " version(s))";
        case NEW_SUBJECT -> "";
        case NEW_VERSION -> " (after " + registeredVersions + " version(s))";
        case INCOMPATIBLE -> ": " + problem;
      };
    }
  }

  /** Thrown by {@link #register} when a subject is incompatible; nothing was registered. */
  public static final class IncompatibleSchemasException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<SubjectReport> reports;

    IncompatibleSchemasException(List<SubjectReport> reports) {
      super("nothing registered: " + reports.stream()
          .filter(r -> r.status() == Status.INCOMPATIBLE).map(SubjectReport::summary)
          .reduce((a, b) -> a + "; " + b).orElse(""));
      this.reports = List.copyOf(reports);
    }

    /**
     * Every subject's report, the incompatible ones among them.
     *
     * @return the reports, never {@code null}
     */
    public List<SubjectReport> reports() {
      return reports;
    }
  }

  private SchemaRegistration() {}

  /**
   * Every schema an aggregate application writes: its commands ({@code FULL_TRANSITIVE}: clients
   * upgrade on their own schedule), its events and state ({@code BACKWARD_TRANSITIVE}: kept
   * forever), and the toolkit's own snapshot and command-result records
   * ({@code BACKWARD_TRANSITIVE}).
   *
   * @param aggregate the aggregate, not {@code null}
   * @param applicationId the Kafka Streams application id it runs under (snapshot subjects are
   *     named after the store's changelog topic), not {@code null}
   * @return the subjects, sorted by name, never {@code null}
   */
  public static List<SubjectSchema> subjectsOf(AggregateDefinition<?> aggregate,
      String applicationId) {
    AggregateTopics topics = aggregate.topics();
    String snapshots = CommandTopology.snapshotChangelogTopic(applicationId, aggregate.name());
    List<SubjectSchema> subjects = new ArrayList<>();
    for (Class<? extends SpecificRecord> command : aggregate.decider().commandTypes()) {
      subjects.add(subject(topics.commands(), schemaOf(command), CompatibilityMode.FULL_TRANSITIVE));
    }
    for (Class<? extends SpecificRecord> event : aggregate.decider().eventTypes()) {
      subjects.add(subject(topics.events(), schemaOf(event), CompatibilityMode.BACKWARD_TRANSITIVE));
    }
    subjects.add(subject(snapshots, aggregate.decider().initialState().getSchema(),
        CompatibilityMode.BACKWARD_TRANSITIVE));
    subjects.add(subject(snapshots, Snapshot.getClassSchema(), CompatibilityMode.BACKWARD_TRANSITIVE));
    subjects.add(subject(topics.commandResults(), CommandResultRecord.getClassSchema(),
        CompatibilityMode.BACKWARD_TRANSITIVE));
    subjects.sort(Comparator.comparing(SubjectSchema::subject));
    return List.copyOf(subjects);
  }

  /**
   * Checks each subject against the registry without changing it.
   *
   * @param registry the live registry, not {@code null}
   * @param subjects what the application writes, not {@code null}
   * @return one report per subject, in order
   * @throws io.eskafka.kafka.serde.SchemaRegistryException when the registry cannot be asked
   */
  public static List<SubjectReport> check(SchemaRegistry registry, List<SubjectSchema> subjects) {
    List<SubjectReport> reports = new ArrayList<>();
    for (SubjectSchema subject : subjects) {
      reports.add(check(registry, subject));
    }
    return List.copyOf(reports);
  }

  /**
   * Checks every subject, then, only when none is {@link Status#INCOMPATIBLE}, registers the new
   * ones. Registering is idempotent: a subject already {@link Status#REGISTERED} is left alone.
   *
   * @param registry the live registry, not {@code null}
   * @param subjects what the application writes, not {@code null}
   * @return one report per subject, in order, with the ids now registered
   * @throws IncompatibleSchemasException when a subject is incompatible; nothing was registered
   * @throws io.eskafka.kafka.serde.SchemaRegistryException when the registry fails or refuses
   */
  public static List<SubjectReport> register(SchemaRegistry registry,
      List<SubjectSchema> subjects) {
    List<SubjectReport> checked = check(registry, subjects);
    if (checked.stream().anyMatch(r -> r.status() == Status.INCOMPATIBLE)) {
      throw new IncompatibleSchemasException(checked);
    }
    List<SubjectReport> done = new ArrayList<>();
    for (int i = 0; i < subjects.size(); i++) {
      SubjectReport report = checked.get(i);
      if (report.status() == Status.REGISTERED) {
        done.add(report);
      } else {
        int id = registry.register(report.subject(), subjects.get(i).schema());
        done.add(new SubjectReport(report.subject(), report.status(), id,
            report.registeredVersions(), null));
      }
    }
    return List.copyOf(done);
  }

  private static SubjectReport check(SchemaRegistry registry, SubjectSchema subject) {
    List<Integer> versions = registry.versions(subject.subject());
    Optional<RegisteredSchema> same = versions.isEmpty()
        ? Optional.empty() : registry.lookup(subject.subject(), subject.schema());
    if (same.isPresent()) {
      return new SubjectReport(subject.subject(), Status.REGISTERED, same.get().id(),
          versions.size(), null);
    }
    if (versions.isEmpty()) {
      return new SubjectReport(subject.subject(), Status.NEW_SUBJECT, null, 0, null);
    }
    List<Schema> existing = new ArrayList<>();
    for (int version : versions.stream().sorted().toList()) {
      registry.version(subject.subject(), version).ifPresent(r -> existing.add(r.schema()));
    }
    Optional<String> problem = subject.mode().check(subject.schema(), existing);
    if (problem.isPresent()) {
      return new SubjectReport(subject.subject(), Status.INCOMPATIBLE, null, versions.size(),
          "not " + subject.mode() + " with the " + versions.size() + " registered version(s): "
              + problem.get());
    }
    if (!registry.isCompatible(subject.subject(), subject.schema())) {
      return new SubjectReport(subject.subject(), Status.INCOMPATIBLE, null, versions.size(),
          "the registry's own compatibility setting for the subject refuses it");
    }
    return new SubjectReport(subject.subject(), Status.NEW_VERSION, null, versions.size(), null);
  }

  private static SubjectSchema subject(String topic, Schema schema, CompatibilityMode mode) {
    return new SubjectSchema(AvroSerde.subjectName(topic, schema), schema, mode);
  }

  private static Schema schemaOf(Class<? extends SpecificRecord> type) {
    return org.apache.avro.specific.SpecificData.get().getSchema(type);
  }
}
