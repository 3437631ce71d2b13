package io.eskafka.schemagate;

import java.util.Objects;

/**
 * Thrown when the gate finds violations; fails the build that runs it.
 *
 * <p>Immutable once thrown.
 */
public final class SchemaGateException extends RuntimeException {

  private final transient GateReport report;

  /**
   * Creates the exception for a failed report.
   *
   * @param report the report, never {@code null}; its {@link GateReport#failureMessage()} becomes
   *     the message
   */
  public SchemaGateException(GateReport report) {
    super(Objects.requireNonNull(report, "report").failureMessage());
    this.report = report;
  }

  /**
   * The report that failed.
   *
   * @return the report, never {@code null} (unless the exception was deserialised)
   */
  public GateReport report() {
    return report;
  }
}
