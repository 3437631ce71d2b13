package io.eskafka.internal.processor;

import org.apache.kafka.streams.errors.StreamsException;

/**
 * Processing stopped for a reason outside the record (e.g. the schema registry is unreachable):
 * the task fails, its transaction aborts, and the record is processed again later instead of being
 * dead-lettered.
 */
final class TransientFailureException extends StreamsException {

  TransientFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
