package io.eskafka.cli;

/** A failure {@code eskafka} reports as one line ({@code eskafka: <message>}) and an exit code. */
final class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
