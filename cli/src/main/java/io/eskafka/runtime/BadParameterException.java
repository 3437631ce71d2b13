package io.eskafka.runtime;

/** A query parameter of an HTTP request that is unknown or does not parse; the API answers 400. */
public final class BadParameterException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String param;
  private final String problem;

  /**
   * @param param the parameter's name
   * @param problem what is wrong with it
   */
  public BadParameterException(String param, String problem) {
    super("query parameter " + param + ": " + problem);
    this.param = param;
    this.problem = problem;
  }

  /**
   * The parameter's name.
   *
   * @return the name
   */
  public String param() {
    return param;
  }

  /**
   * What is wrong with it.
   *
   * @return the problem
   */
  public String problem() {
    return problem;
  }
}
