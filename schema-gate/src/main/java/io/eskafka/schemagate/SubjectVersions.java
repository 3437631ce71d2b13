package io.eskafka.schemagate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * All versions of one subject: the released ones from the history, in release order, and the
 * current schema if there is one.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param subject the record full name, never {@code null}
 * @param released {@code v1..vN}, in that order; never {@code null}, empty for a subject that was
 *     never released; copied
 * @param current the current schema, or {@code null} when the subject has no current schema any
 *     more (a retired type whose released versions stay in the history)
 */
public record SubjectVersions(String subject, List<SchemaVersion> released, SchemaVersion current) {

  /** Validates and copies the parts. */
  public SubjectVersions {
    Objects.requireNonNull(subject, "subject");
    released = List.copyOf(released);
    if (released.isEmpty() && current == null) {
      throw new IllegalArgumentException(subject + ": a subject needs at least one version");
    }
  }

  /**
   * The current schema, if any.
   *
   * @return the current schema, or empty for a retired subject
   */
  public Optional<SchemaVersion> currentVersion() {
    return Optional.ofNullable(current);
  }

  /**
   * Whether the current schema differs from the latest release (or nothing was released yet).
   *
   * @return {@code true} when the current schema is a version still to be released
   */
  public boolean hasUnreleasedChange() {
    return current != null && (released.isEmpty() || !current.sameSchemaAs(latestRelease()));
  }

  /**
   * The versions the gate checks, oldest first: {@code v1..vN}, then the current schema when it
   * differs from {@code vN}.
   *
   * @return a new list, never empty
   */
  public List<SchemaVersion> versionsInOrder() {
    List<SchemaVersion> ordered = new ArrayList<>(released);
    if (hasUnreleasedChange()) {
      ordered.add(current);
    }
    return ordered;
  }

  private SchemaVersion latestRelease() {
    return released.get(released.size() - 1);
  }
}
