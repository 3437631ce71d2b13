package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.client.CommandResultDecoder;
import io.eskafka.client.CommandStatus;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.AggregateTopics;
import io.eskafka.kafka.AggregateTopology;
import io.eskafka.kafka.AppOptions;
import io.eskafka.kafka.MessageHeaders;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.InMemorySchemaRegistry;
import io.eskafka.kafka.serde.RegisteredSchema;
import io.eskafka.kafka.serde.SchemaRegistry;
import io.eskafka.kafka.serde.SchemaRegistryException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unreachable schema registry is an outage, not a bad record: the command must not be
 * dead-lettered (nor answered FAILED); the task fails and the command is processed once the
 * registry is back.
 */
class RegistryOutageTopologyTest {

  /** A registry that can be switched off: every call then fails like a refused connection. */
  static final class SwitchableRegistry implements SchemaRegistry {
    private final SchemaRegistry delegate;
    volatile boolean down;

    SwitchableRegistry(SchemaRegistry delegate) {
      this.delegate = delegate;
    }

    private void check() {
      if (down) {
        throw new SchemaRegistryException("registry unreachable (test)",
            new ConnectException("Connection refused"));
      }
    }

    @Override
    public int register(String subject, Schema schema) {
      check();
      return delegate.register(subject, schema);
    }

    @Override
    public Schema getById(int id) {
      check();
      return delegate.getById(id);
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
      check();
      return delegate.lookup(subject, schema);
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
      check();
      return delegate.latest(subject);
    }

    @Override
    public Optional<RegisteredSchema> version(String subject, int version) {
      check();
      return delegate.version(subject, version);
    }

    @Override
    public List<String> subjects() {
      check();
      return delegate.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
      check();
      return delegate.versions(subject);
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
      check();
      return delegate.isCompatible(subject, schema);
    }
  }

  @TempDir Path stateDir;

  @Test
  void aCommandThatArrivesDuringAnOutageIsRetriedNotDeadLettered() {
    InMemorySchemaRegistry shared = new InMemorySchemaRegistry();
    SwitchableRegistry appRegistry = new SwitchableRegistry(shared);
    AvroSerde clientSerde = AvroSerde.create(shared);
    AvroSerde appSerde = AvroSerde.create(appRegistry);
    AggregateDefinition<?> aggregate = Demo.bankAccount("outage");
    AggregateTopics topics = aggregate.topics();

    try (TopologyTestDriver driver = new TopologyTestDriver(
        AggregateTopology.build(Demo.bankAccount("outage"), appSerde, Duration.ofDays(1)),
        AggregateTopology.streamsConfig(AppOptions.of("ttd:9092", "outage"), stateDir.toString()))) {
      TestInputTopic<String, byte[]> commands = driver.createInputTopic(topics.commands(),
          new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> results = driver.createOutputTopic(topics.commandResults(),
          new StringDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(topics.dlq(),
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      RecordHeaders headers = new RecordHeaders();
      headers.add(MessageHeaders.COMMAND_ID, "cmd-1".getBytes(StandardCharsets.UTF_8));
      TestRecord<String, byte[]> open = new TestRecord<>("acc-1",
          clientSerde.serialize(topics.commands(), new OpenAccount("Ada")), headers);

      appRegistry.down = true;
      assertThatThrownBy(() -> commands.pipeInput(open))
          .hasStackTraceContaining("schema registry unavailable")
          .hasStackTraceContaining("will retry");
      assertThat(dlq.isEmpty()).as("nothing dead-lettered").isTrue();
      assertThat(results.isEmpty()).as("no FAILED answer").isTrue();

      appRegistry.down = false;
      commands.pipeInput(open);
      assertThat(dlq.isEmpty()).isTrue();
      assertThat(new CommandResultDecoder(topics, clientSerde).decode(results.readValue()).status())
          .isEqualTo(CommandStatus.ACCEPTED);
    }
  }
}
