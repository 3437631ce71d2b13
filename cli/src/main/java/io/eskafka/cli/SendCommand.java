package io.eskafka.cli;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.CommandTimeoutException;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.HttpSchemaRegistry;
import io.eskafka.kafka.serde.SchemaRegistryException;
import io.eskafka.runtime.CommandJson;
import io.eskafka.runtime.JsonFieldException;
import io.eskafka.runtime.Settings;
import io.eskafka.runtime.StartupChecks;
import io.eskafka.runtime.StartupException;
import io.eskafka.runtime.UnknownNameException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code eskafka send <aggregate> <stream-id> <json>}: one command, its result. */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Sends one command to a stream and prints its result. The JSON is the command's "
        + "fields with --command-type, or an envelope {\"type\": \"Deposit\", \"payload\": {...}, "
        + "\"expectedVersion\": 2, \"commandId\": \"...\"} without it. The app must be running "
        + "(eskafka run).",
        "Example: eskafka send bank-account acc-1 '{\"amountCents\": 10000}' --command-type Deposit"},
    footer = {"%nExit codes: 0 accepted, 1 error (unreachable, invalid JSON, ...), 2 usage, "
        + "3 rejected, 4 conflict, 5 failed (dead-lettered), 6 no result in time."})
final class SendCommand implements Callable<Integer> {

  @ParentCommand
  private Eskafka root;

  @Mixin
  SettingsOptions settings;

  @Parameters(index = "0", paramLabel = "AGGREGATE", description = "The aggregate (e.g. bank-account).")
  String aggregateName;

  @Parameters(index = "1", paramLabel = "STREAM-ID", description = "The stream (e.g. acc-1).")
  String streamId;

  @Parameters(index = "2", paramLabel = "JSON", description = "The command (see above).")
  String json;

  @Option(names = {"-t", "--command-type"}, paramLabel = "TYPE",
      description = "The command type (simple or full Avro name); JSON is then its fields.")
  String commandType;

  @Option(names = {"-e", "--expected-version"}, paramLabel = "N",
      description = "Only if the stream is at version N (0: a new stream).")
  Long expectedVersion;

  @Option(names = "--command-id", paramLabel = "ID",
      description = "The command id (default: random); re-sending an id returns the original result.")
  String commandId;

  @Option(names = "--json", description = "Print the result as JSON instead of one line.")
  boolean printJson;

  @Override
  public Integer call() throws InterruptedException {
    AggregateDefinition<?> aggregate = Eskafka.aggregate(aggregateName);
    CommandRequest request = request(new CommandJson(aggregate));
    Settings resolved = settings.resolve(root.environment(), Map.of());
    CommandResult result;
    try {
      StartupChecks.kafka(resolved);
      HttpSchemaRegistry registry = HttpSchemaRegistry.create(resolved.registryOptions());
      StartupChecks.registry(registry, resolved.registryUrl());
      try (CommandGateway gateway = CommandGateway.connect(aggregate.topics(),
          AvroSerde.create(registry), resolved.gatewayOptions())) {
        result = gateway.send(request).get();
      }
    } catch (StartupException e) {
      throw new CliException(e.getMessage(), ExitCode.ERROR);
    } catch (IllegalStateException | KafkaException | SchemaRegistryException e) {
      throw new CliException("cannot send to " + aggregate.name() + ": " + e.getMessage(),
          ExitCode.ERROR);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CommandTimeoutException) {
        long millis = resolved.commandTimeout().toMillis();
        throw new CliException("no result within " + (millis % 1000 == 0 ? millis / 1000 + " s"
            : millis + " ms") + " for command " + request.commandId() + " (is 'eskafka run' running the app of "
            + aggregate.name() + "?)", ExitCode.TIMEOUT);
      }
      throw new CliException("cannot send to " + aggregate.name() + ": " + e.getCause(),
          ExitCode.ERROR);
    }
    root.out().println(printJson ? CommandJson.resultJson(result).toPrettyString()
        : result.summary());
    return switch (result.status()) {
      case ACCEPTED -> ExitCode.OK;
      case REJECTED -> ExitCode.REJECTED;
      case CONFLICT -> ExitCode.CONFLICT;
      case FAILED -> ExitCode.FAILED;
    };
  }

  private CommandRequest request(CommandJson commands) {
    try {
      CommandRequest request;
      if (commandType != null) {
        request = CommandRequest.of(streamId, commands.command(commandType, CommandJson.parse(json)));
      } else {
        request = commands.request(streamId, CommandJson.parse(json));
      }
      if (commandId != null) {
        request = request.withCommandId(commandId);
      }
      if (expectedVersion != null) {
        if (expectedVersion < 0) {
          throw new CliException("--expected-version must be >= 0, got " + expectedVersion,
              ExitCode.USAGE);
        }
        request = request.expectingVersion(expectedVersion);
      }
      return request;
    } catch (JsonFieldException e) {
      throw new CliException("invalid command JSON: " + e.getMessage(), ExitCode.ERROR);
    } catch (UnknownNameException e) {
      throw new CliException(e.getMessage(), ExitCode.ERROR);
    }
  }
}
