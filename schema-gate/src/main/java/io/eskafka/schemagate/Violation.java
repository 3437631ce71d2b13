package io.eskafka.schemagate;

import java.util.Objects;

/**
 * One reason the gate fails: an incompatible pair of versions, or a broken layout.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param subject the record full name, or the file or key concerned when there is no subject;
 *     never {@code null}
 * @param message what is wrong, naming the versions and Avro's reason; never {@code null}
 */
public record Violation(String subject, String message) {

  /** Validates the parts. */
  public Violation {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(message, "message");
  }

  /**
   * The violation as one report line.
   *
   * @return {@code <subject>: <message>}
   */
  public String render() {
    return subject + ": " + message;
  }
}
