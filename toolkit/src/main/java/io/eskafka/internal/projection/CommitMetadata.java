package io.eskafka.internal.projection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The metadata string of a projection group's committed offsets, which carries two things:
 * who wrote the offset (the projection runner itself, or someone else: a reset) and, for the
 * runner, the projection's state for status tools in other JVMs. Stateless.
 *
 * <p>The runner writes {@code eskafka-runner/1 <STATE>[ <error>]}; {@code ProjectionAdmin.reset}
 * writes {@code eskafka-reset/1 <reset id> <target>}; Kafka's {@code kafka-consumer-groups
 * --reset-offsets} writes an empty string. Any committed offset whose metadata is not the runner's
 * is a reset: the runner is the only writer that marks its commits, so a commit of its own that
 * failed or lags behind the database never reads as one.
 */
public final class CommitMetadata {

  /** What the runner reports about itself in its commits. */
  public enum RunnerState {
    /** Applying events, caught up at least once. */
    RUNNING,
    /** Replaying a backlog after a rebuild or a first start. */
    REPLAYING,
    /** Stopped on a failure; the error follows the state. */
    PARKED
  }

  /** A decoded metadata string. */
  public sealed interface Decoded {}

  /**
   * Written by a projection runner.
   *
   * @param state the runner's state
   * @param error the park error, empty unless parked
   */
  public record ByRunner(RunnerState state, String error) implements Decoded {}

  /**
   * Written by anyone else: a reset.
   *
   * @param byEskafka whether {@code ProjectionAdmin} wrote it (else another tool)
   * @param description the reset id and target for an eskafka reset, else the raw metadata
   */
  public record ByOther(boolean byEskafka, String description) implements Decoded {}

  /**
   * Kafka's default {@code offset.metadata.max.bytes} is 4096; an error is cut well below that
   * (UTF-8 may take 3 bytes a character) so that a commit never fails because of its message.
   */
  static final int MAX_ERROR_CHARS = 1000;

  private static final String RUNNER = "eskafka-runner/1 ";
  private static final String RESET = "eskafka-reset/1 ";

  private CommitMetadata() {}

  /**
   * The runner's marker.
   *
   * @param state its state, not {@code null}
   * @param error the park error, {@code null} or empty unless parked
   * @return the metadata string, at most about 1 KB
   */
  public static String runner(RunnerState state, String error) {
    if (error == null || error.isEmpty()) {
      return RUNNER + state.name();
    }
    String oneLine = error.replace('\n', ' ').replace('\r', ' ');
    if (oneLine.length() > MAX_ERROR_CHARS) {
      oneLine = oneLine.substring(0, MAX_ERROR_CHARS - 1) + "…";
    }
    return RUNNER + state.name() + " " + oneLine;
  }

  /**
   * The marker of a reset made by {@code ProjectionAdmin}.
   *
   * @param resetId unique id of this reset, so that two resets to the same offsets differ
   * @param target what it reset to, for people reading the group's offsets
   * @return the metadata string
   */
  public static String reset(String resetId, String target) {
    return RESET + resetId + " " + target;
  }

  /**
   * Decodes a committed offset's metadata.
   *
   * @param metadata the metadata, {@code null} read as empty
   * @return who wrote it
   */
  public static Decoded decode(String metadata) {
    String text = metadata == null ? "" : metadata;
    if (text.startsWith(RUNNER)) {
      String rest = text.substring(RUNNER.length());
      int space = rest.indexOf(' ');
      String stateName = space < 0 ? rest : rest.substring(0, space);
      for (RunnerState state : RunnerState.values()) {
        if (state.name().equals(stateName)) {
          return new ByRunner(state, space < 0 ? "" : rest.substring(space + 1));
        }
      }
      // A marker from a newer runner with a state this one does not know: still the runner's.
      return new ByRunner(RunnerState.RUNNING, "");
    }
    if (text.startsWith(RESET)) {
      return new ByOther(true, text.substring(RESET.length()));
    }
    return new ByOther(false, text);
  }

  /**
   * Whether the runner wrote this committed offset.
   *
   * @param offset a committed offset, {@code null} for none
   * @return {@code true} when there is none or the runner wrote it
   */
  public static boolean isRunners(OffsetAndMetadata offset) {
    return offset == null || decode(offset.metadata()) instanceof ByRunner;
  }

  /**
   * Whether any of a group's committed offsets was written by someone other than the runner.
   *
   * @param committed committed offset per partition; {@code null} values mean none
   * @return {@code true} when a reset is in there
   */
  public static boolean containsReset(Map<TopicPartition, OffsetAndMetadata> committed) {
    return committed.values().stream().anyMatch(offset -> !isRunners(offset));
  }

  /**
   * A fingerprint of a committed offset vector with its metadata: the same reset read twice
   * gives the same fingerprint. SHA-256, hex.
   *
   * @param committed committed offset per partition; {@code null} values are left out
   * @return 64 hex characters
   */
  public static String fingerprint(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<String, String> sorted = new TreeMap<>();
    committed.forEach((partition, offset) -> {
      if (offset != null) {
        sorted.put(partition.topic() + "\u0000" + partition.partition(),
            offset.offset() + "\u0000" + (offset.metadata() == null ? "" : offset.metadata()));
      }
    });
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sorted.forEach((key, value) -> {
        sha.update(key.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 1);
        sha.update(value.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 2);
      });
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
