package io.eskafka.client;

import io.eskafka.internal.ByteBuffers;
import io.eskafka.internal.avro.CommandResultRecord;
import io.eskafka.internal.avro.ResultEvent;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.serde.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads values of an aggregate's command-results topic into {@link CommandResult}s, events
 * included. Used by {@link CommandGateway}; handy in tests that read the topic directly (e.g. with
 * {@code TopologyTestDriver}). Thread-safe if the serde is.
 */
public final class CommandResultDecoder {

  private final AggregateTopics topics;
  private final AvroSerde serde;

  /**
   * @param topics the aggregate's topics
   * @param serde the serde the aggregate application writes with (same schema registry)
   */
  public CommandResultDecoder(AggregateTopics topics, AvroSerde serde) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.serde = Objects.requireNonNull(serde, "serde");
  }

  /**
   * Decodes one record value of the command-results topic.
   *
   * @param value the record value, never {@code null}
   * @return the result
   * @throws org.apache.kafka.common.errors.SerializationException when the value or one of its
   *     events cannot be decoded
   */
  public CommandResult decode(byte[] value) {
    CommandResultRecord record =
        serde.deserialize(topics.commandResults(), value, CommandResultRecord.class);
    List<AppendedEvent> events = new ArrayList<>(record.getEvents().size());
    for (ResultEvent event : record.getEvents()) {
      events.add(new AppendedEvent(event.getVersion(), event.getEventId(),
          serde.deserialize(topics.events(), ByteBuffers.toArray(event.getPayload()))));
    }
    return new CommandResult(record.getCommandId(), record.getStreamId(),
        CommandStatus.valueOf(record.getStatus().name()), record.getVersion(),
        record.getExpectedVersion(), record.getReason(), events, record.getDuplicate(),
        record.getDecidedAt());
  }
}
