package io.eskafka.client;

import java.time.Duration;

/**
 * No result arrived for a command within the gateway's timeout. The command may still be processed
 * later; re-sending it with the same command id is safe (it is answered, not re-applied).
 */
public final class CommandTimeoutException extends RuntimeException {

  private final String commandId;

  /**
   * @param commandId the command's id
   * @param streamId its stream
   * @param resultsTopic where the answer was awaited
   * @param timeout how long
   */
  public CommandTimeoutException(String commandId, String streamId, String resultsTopic,
      Duration timeout) {
    super("no result for command " + commandId + " (stream " + streamId + ") on " + resultsTopic
        + " within " + timeout.toMillis() + " ms; is the aggregate application running? "
        + "Re-sending with the same command id is safe");
    this.commandId = commandId;
  }

  /**
   * The command that timed out.
   *
   * @return its id
   */
  public String commandId() {
    return commandId;
  }
}
