package io.eskafka.client;

import java.util.Objects;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * A command addressed to a stream, with its id and optional expected version. Immutable; the
 * {@code with…} methods return copies.
 *
 * @param streamId the target stream, never {@code null} or empty
 * @param command the command, never {@code null}
 * @param commandId unique id; a repeated id is answered with the original result and appends
 *     nothing (idempotent retries)
 * @param expectedVersion the version the stream must be at, or {@code null} for any
 * @param correlationId passed on to the events, or {@code null}
 */
public record CommandRequest(
    String streamId, SpecificRecord command, String commandId, Long expectedVersion,
    String correlationId) {

  /** Validates the parts. */
  public CommandRequest {
    Objects.requireNonNull(streamId, "streamId");
    if (streamId.isEmpty()) {
      throw new IllegalArgumentException("streamId must not be empty");
    }
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(commandId, "commandId");
    if (expectedVersion != null && expectedVersion < 0) {
      throw new IllegalArgumentException("expectedVersion must be >= 0, got " + expectedVersion);
    }
  }

  /**
   * A request with a fresh random command id and no expected version.
   *
   * @param streamId the target stream
   * @param command the command
   * @return the request
   */
  public static CommandRequest of(String streamId, SpecificRecord command) {
    return new CommandRequest(streamId, command, UUID.randomUUID().toString(), null, null);
  }

  /**
   * Same request with another command id (e.g. to re-send one).
   *
   * @param id the command id
   * @return a copy
   */
  public CommandRequest withCommandId(String id) {
    return new CommandRequest(streamId, command, id, expectedVersion, correlationId);
  }

  /**
   * Same request, valid only if the stream is at {@code version} (0 for a new stream).
   *
   * @param version the expected version
   * @return a copy
   */
  public CommandRequest expectingVersion(long version) {
    return new CommandRequest(streamId, command, commandId, version, correlationId);
  }

  /**
   * Same request with a correlation id.
   *
   * @param id the correlation id
   * @return a copy
   */
  public CommandRequest withCorrelationId(String id) {
    return new CommandRequest(streamId, command, commandId, expectedVersion, id);
  }
}
