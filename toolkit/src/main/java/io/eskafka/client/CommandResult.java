package io.eskafka.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The answer to one command. Immutable.
 *
 * @param commandId the command's id
 * @param streamId the stream it was sent to
 * @param status what became of it
 * @param version the stream's version after the command: the new version when accepted, the
 *     current one when rejected or in conflict, -1 when it failed before the stream was read
 * @param expectedVersion the version the command expected, or {@code null} if it expected none
 * @param reason why it was rejected, in conflict or failed; {@code null} when accepted
 * @param events the events it appended, in order; empty unless accepted
 * @param duplicate true when the command id had been seen before: this is the original answer and
 *     nothing was appended this time
 * @param decidedAt when the command was (first) decided
 */
public record CommandResult(
    String commandId,
    String streamId,
    CommandStatus status,
    long version,
    Long expectedVersion,
    String reason,
    List<AppendedEvent> events,
    boolean duplicate,
    Instant decidedAt) {

  /** Copies the event list. */
  public CommandResult {
    Objects.requireNonNull(commandId, "commandId");
    Objects.requireNonNull(status, "status");
    events = List.copyOf(events);
  }

  /**
   * Whether the command was accepted.
   *
   * @return true for {@link CommandStatus#ACCEPTED}
   */
  public boolean accepted() {
    return status == CommandStatus.ACCEPTED;
  }

  /**
   * A one-line description for logs and demos, e.g. {@code ACCEPTED v3 [MoneyDeposited]}.
   *
   * @return never {@code null}
   */
  public String summary() {
    StringBuilder out = new StringBuilder(status.name());
    if (duplicate) {
      out.insert(0, "DUPLICATE of ");
    }
    out.append(" v").append(version);
    if (!events.isEmpty()) {
      out.append(' ').append(events.stream()
          .map(e -> e.event().getSchema().getName() + e.event())
          .toList());
    }
    if (reason != null) {
      out.append(": ").append(reason);
    }
    return out.toString();
  }
}
