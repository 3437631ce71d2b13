package io.eskafka.runtime;

/**
 * A JSON value that does not fit an Avro schema: names the field (a dotted path such as {@code
 * amountCents} or {@code lines[2].sku}; empty for the whole value) and the problem.
 */
public final class JsonFieldException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String problem;

  /**
   * @param field the path of the field, empty for the top level
   * @param problem what is wrong, e.g. {@code expected long, got "abc"}
   */
  public JsonFieldException(String field, String problem) {
    super(field.isEmpty() ? problem : "field " + field + ": " + problem);
    this.field = field;
    this.problem = problem;
  }

  /**
   * The path of the offending field.
   *
   * @return never {@code null}; empty for the top level
   */
  public String field() {
    return field;
  }

  /**
   * What is wrong with it.
   *
   * @return never {@code null}
   */
  public String problem() {
    return problem;
  }
}
