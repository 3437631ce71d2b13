package io.eskafka.client;

/** What became of a command. */
public enum CommandStatus {
  /** Decided and appended: the result carries the new version and the events (possibly none). */
  ACCEPTED,
  /** The decider refused it; nothing appended; the result carries the reason. */
  REJECTED,
  /** The command expected another stream version; nothing appended. */
  CONFLICT,
  /**
   * The command could not be processed (undecodable, unknown type, decider threw); it is in the
   * dead-letter topic and nothing was appended. Not remembered: the same command id may be sent
   * again once the cause is fixed.
   */
  FAILED
}
