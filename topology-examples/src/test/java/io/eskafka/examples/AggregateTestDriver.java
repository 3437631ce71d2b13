package io.eskafka.examples;

import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.AggregateTopology;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * One aggregate's topology under Kafka's TopologyTestDriver (application id {@code ttd}, 7-day
 * dedupe window), with its topics: commands in, events piped in as if read back from the event
 * topic, and events, results and dead letters out. Closing it closes the driver.
 *
 * @param driver the driver, for its stores and wall clock
 * @param commands the command topic
 * @param eventsIn the event topic as the task reads it back
 * @param events the event topic as the task writes it
 * @param results the result topic
 * @param dlq the dead-letter topic
 */
record AggregateTestDriver(TopologyTestDriver driver, TestInputTopic<String, byte[]> commands,
    TestInputTopic<String, byte[]> eventsIn, TestOutputTopic<String, byte[]> events,
    TestOutputTopic<String, byte[]> results, TestOutputTopic<byte[], byte[]> dlq)
    implements AutoCloseable {

  static <S extends SpecificRecord> AggregateTestDriver start(AggregateDefinition<S> aggregate,
      AvroSerde serde, Path stateDir) {
    AggregateTopics topics = aggregate.topics();
    TopologyTestDriver driver = new TopologyTestDriver(
        AggregateTopology.build(aggregate, serde, Duration.ofDays(7)),
        AggregateTopology.streamsConfig(AppOptions.of("ttd:9092", "ttd"), stateDir.toString()));
    return new AggregateTestDriver(driver,
        driver.createInputTopic(topics.commands(), new StringSerializer(),
            new ByteArraySerializer()),
        driver.createInputTopic(topics.events(), new StringSerializer(),
            new ByteArraySerializer()),
        driver.createOutputTopic(topics.events(), new StringDeserializer(),
            new ByteArrayDeserializer()),
        driver.createOutputTopic(topics.commandResults(), new StringDeserializer(),
            new ByteArrayDeserializer()),
        driver.createOutputTopic(topics.dlq(), new ByteArrayDeserializer(),
            new ByteArrayDeserializer()));
  }

  @Override
  public void close() {
    driver.close();
  }
}
