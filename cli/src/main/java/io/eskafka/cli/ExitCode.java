package io.eskafka.cli;

/** The exit codes of {@code eskafka}; each command's {@code --help} lists those it uses. */
public final class ExitCode {

  /** Success; for {@code send}: the command was accepted (or is a duplicate of an accepted one). */
  public static final int OK = 0;
  /** An error, printed as one line: Kafka or the registry unreachable, invalid JSON, ... */
  public static final int ERROR = 1;
  /** Wrong usage: unknown option, missing argument. */
  public static final int USAGE = 2;
  /** {@code send}: the command was rejected by the aggregate. */
  public static final int REJECTED = 3;
  /** {@code send}: the expected version did not match. */
  public static final int CONFLICT = 4;
  /** {@code send}: the command failed (dead-lettered). */
  public static final int FAILED = 5;
  /**
   * {@code send}: no result within the command timeout (is the app running?); {@code stream
   * read}: no answer in time.
   */
  public static final int TIMEOUT = 6;

  private ExitCode() {}
}
