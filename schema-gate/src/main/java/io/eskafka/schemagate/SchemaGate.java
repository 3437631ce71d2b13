package io.eskafka.schemagate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaValidationException;
import org.apache.avro.SchemaValidator;

/**
 * The schema evolution gate: checks, for every subject of a {@link SchemaCatalog}, that each
 * version is compatible with the versions before it under the subject's {@link
 * CompatibilityMode}.
 *
 * <p>Versions are taken in order ({@code v1..vN}, then the current schema if it differs from
 * {@code vN}); each one is validated by Avro's {@code SchemaValidator} against all earlier
 * versions (transitive modes) or the one before it. History is re-checked too, so an incompatible
 * version committed straight into the history is caught as well.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class SchemaGate {

  private final CompatibilityRules rules;

  /**
   * Creates a gate applying the given rules.
   *
   * @param rules which mode applies to which subject, never {@code null}
   */
  public SchemaGate(CompatibilityRules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  /**
   * Checks a catalog.
   *
   * @param catalog the subjects and their versions, never {@code null}
   * @return the report: the catalog's layout problems, rule keys that match no subject, and every
   *     incompatible pair of versions; never {@code null}
   */
  public GateReport check(SchemaCatalog catalog) {
    List<Violation> violations = new ArrayList<>(catalog.problems());
    List<String> subjectNames = catalog.subjects().stream().map(SubjectVersions::subject).toList();
    for (String key : rules.unusedKeys(subjectNames)) {
      violations.add(new Violation(key,
          "compatibility rule matches no schema (a typo would silently give its schemas the default mode)"));
    }
    Set<String> withLayoutProblems =
        catalog.problems().stream().map(Violation::subject).collect(Collectors.toSet());
    List<String> lines = new ArrayList<>();
    for (SubjectVersions subject : catalog.subjects()) {
      List<Violation> found = check(subject);
      violations.addAll(found);
      lines.add(summary(subject, found.isEmpty() && !withLayoutProblems.contains(subject.subject())));
    }
    return new GateReport(lines, violations);
  }

  private List<Violation> check(SubjectVersions subject) {
    CompatibilityMode mode = rules.modeFor(subject.subject());
    SchemaValidator validator = mode.validator();
    List<SchemaVersion> ordered = subject.versionsInOrder();
    List<Violation> violations = new ArrayList<>();
    for (int i = 1; i < ordered.size(); i++) {
      SchemaVersion next = ordered.get(i);
      // Newest first: Avro's validateLatest checks only the first schema it is given.
      List<SchemaVersion> earlier = new ArrayList<>(ordered.subList(0, i));
      Collections.reverse(earlier);
      try {
        validator.validate(next.schema(), earlier.stream().map(SchemaVersion::schema).toList());
      } catch (SchemaValidationException e) {
        List<SchemaVersion> checked = mode.transitive() ? earlier : earlier.subList(0, 1);
        violations.addAll(explain(subject.subject(), mode, next, checked, e));
      }
    }
    return violations;
  }

  /** Avro's exception only says "unable to read"; find which pairs failed and why. */
  private static List<Violation> explain(
      String subject, CompatibilityMode mode, SchemaVersion next, List<SchemaVersion> checked,
      SchemaValidationException cause) {
    List<Violation> violations = new ArrayList<>();
    for (SchemaVersion old : checked) {
      List<String> reasons = new ArrayList<>();
      if (mode.direction().newMustReadOld()) {
        reasons.addAll(reasons(next, old));
      }
      if (mode.direction().oldMustReadNew()) {
        reasons.addAll(reasons(old, next));
      }
      if (!reasons.isEmpty()) {
        violations.add(new Violation(subject, next.label() + " vs " + old.label() + " is not " + mode
            + "-compatible: " + String.join("; ", reasons) + " (" + next.source() + ")"));
      }
    }
    if (violations.isEmpty()) {
      // Avro's validator and its compatibility checker disagree; still fail, with Avro's words.
      violations.add(new Violation(subject, next.label() + " is not " + mode + "-compatible with "
          + checked.stream().map(SchemaVersion::label).toList() + ": " + cause.getMessage()));
    }
    return violations;
  }

  private static List<String> reasons(SchemaVersion reader, SchemaVersion writer) {
    Schema readerSchema = reader.schema();
    return IncompatibilityReasons.whyCannotRead(readerSchema, writer.schema()).stream()
        .map(reason -> reader.label() + " cannot read data written with " + writer.label() + ": " + reason)
        .toList();
  }

  private String summary(SubjectVersions subject, boolean ok) {
    StringBuilder line = new StringBuilder(subject.subject()).append(": ");
    int released = subject.released().size();
    if (released == 0) {
      line.append("current (never released)");
    } else {
      line.append(released == 1 ? "v1" : "v1..v" + released);
      if (subject.currentVersion().isEmpty()) {
        line.append(", no current schema (retired)");
      } else if (subject.hasUnreleasedChange()) {
        line.append(" + current (unreleased change)");
      } else {
        line.append(" (= current)");
      }
    }
    return line.append(' ').append(rules.modeFor(subject.subject())).append(ok ? " ok" : " FAILED").toString();
  }
}
