package io.eskafka.kafka;

/**
 * Names of the record headers the toolkit reads and writes. Every value is a UTF-8 string.
 *
 * <p>On commands (set by the sender): {@link #COMMAND_ID}, optionally {@link #EXPECTED_VERSION} and
 * {@link #CORRELATION_ID}. On events: {@link #EVENT_TYPE}, {@link #EVENT_ID}, {@link #COMMAND_ID}
 * (causation), {@link #CORRELATION_ID}, {@link #TIMESTAMP}. On dead letters: the record's own
 * headers plus the {@code eskafka.dlq.*} ones. On control records (stream deletion): {@link
 * #CONTROL} and {@link #COMMAND_ID}.
 */
public final class MessageHeaders {

  /** Id of a command; results are keyed by it and a repeated id is answered from memory. */
  public static final String COMMAND_ID = "eskafka.command.id";
  /** Stream version a command expects to find (optimistic concurrency); decimal. */
  public static final String EXPECTED_VERSION = "eskafka.expected.version";
  /** Id tying together the commands and events of one business flow; passed on to events. */
  public static final String CORRELATION_ID = "eskafka.correlation.id";
  /** Avro full name of an event. */
  public static final String EVENT_TYPE = "eskafka.event.type";
  /** Unique id of an event (UUID). */
  public static final String EVENT_ID = "eskafka.event.id";
  /** When an event was appended, ISO-8601 instant. */
  public static final String TIMESTAMP = "eskafka.timestamp";

  /**
   * Marks a control record on the commands topic instead of a command; the only value is {@link
   * #CONTROL_DELETE_STREAM}. Control records carry a {@link #COMMAND_ID} and get a result.
   */
  public static final String CONTROL = "eskafka.control";
  /** Value of {@link #CONTROL}: erase the stream the record is keyed by. */
  public static final String CONTROL_DELETE_STREAM = "delete-stream";

  /** Dead letters: what failed, e.g. {@code undecodable value}, {@code null key}. */
  public static final String DLQ_REASON = "eskafka.dlq.reason";
  /** Dead letters: class of the exception, when there was one. */
  public static final String DLQ_EXCEPTION_CLASS = "eskafka.dlq.exception.class";
  /** Dead letters: message of the exception, when there was one. */
  public static final String DLQ_EXCEPTION_MESSAGE = "eskafka.dlq.exception.message";
  /** Dead letters: topic the record was read from. */
  public static final String DLQ_SOURCE_TOPIC = "eskafka.dlq.source.topic";
  /** Dead letters: partition the record was read from. */
  public static final String DLQ_SOURCE_PARTITION = "eskafka.dlq.source.partition";
  /** Dead letters: offset the record was read from. */
  public static final String DLQ_SOURCE_OFFSET = "eskafka.dlq.source.offset";

  private MessageHeaders() {}
}
