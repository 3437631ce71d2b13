package io.eskafka.schemagate;

import java.util.List;

/**
 * What the gate found: one summary line per subject, and the violations that fail the build.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param subjectLines one line per subject, e.g.
 *     {@code io.eskafka.examples.bank.events.AccountOpened: v1 (= current) BACKWARD_TRANSITIVE ok};
 *     never {@code null}; copied
 * @param violations everything that fails the gate; never {@code null}, empty when it passes;
 *     copied
 */
public record GateReport(List<String> subjectLines, List<Violation> violations) {

  /** Copies the parts. */
  public GateReport {
    subjectLines = List.copyOf(subjectLines);
    violations = List.copyOf(violations);
  }

  /**
   * Whether the build may go on.
   *
   * @return {@code true} when there are no violations
   */
  public boolean passed() {
    return violations.isEmpty();
  }

  /**
   * The violations as a multi-line message, for the build log.
   *
   * @return a header line and one line per violation; a one-line "passed" note when there are none
   */
  public String failureMessage() {
    if (passed()) {
      return "schema gate passed";
    }
    StringBuilder out = new StringBuilder("schema evolution gate FAILED (")
        .append(violations.size()).append(violations.size() == 1 ? " problem):" : " problems):");
    for (Violation violation : violations) {
      out.append(System.lineSeparator()).append("  ").append(violation.render());
    }
    return out.toString();
  }
}
