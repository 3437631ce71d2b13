package io.eskafka.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eskafka.client.AppendedEvent;
import io.eskafka.client.CommandRequest;
import io.eskafka.client.CommandResult;
import io.eskafka.client.StoredEvent;
import io.eskafka.client.StreamState;
import io.eskafka.client.StreamTrace;
import io.eskafka.client.TraceStep;
import io.eskafka.kafka.AggregateDefinition;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON form of one aggregate's commands, results, state, events and traces, shared by {@code
 * eskafka send} and the HTTP API. Immutable and thread-safe.
 *
 * <p>A command envelope is {@code {"type": "Deposit", "payload": {"amountCents": 100},
 * "expectedVersion": 2, "commandId": "...", "correlationId": "..."}}; only {@code type} and
 * {@code payload} are required. The type is the command's simple or full Avro name.
 */
public final class CommandJson {

  /** Fields of the envelope. */
  public static final Set<String> ENVELOPE_FIELDS =
      Set.of("type", "payload", "expectedVersion", "commandId", "correlationId");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String aggregate;
  private final Map<String, Class<? extends SpecificRecord>> types = new LinkedHashMap<>();

  /**
   * @param aggregate the aggregate whose commands this reads
   */
  public CommandJson(AggregateDefinition<?> aggregate) {
    this.aggregate = aggregate.name();
    for (Class<? extends SpecificRecord> type : aggregate.decider().commandTypes()) {
      types.put(type.getSimpleName(), type);
    }
    for (Class<? extends SpecificRecord> type : aggregate.decider().commandTypes()) {
      types.putIfAbsent(type.getName(), type);
    }
  }

  /**
   * The command type names (simple names), as accepted in {@code type}.
   *
   * @return names in the decider's order
   */
  public List<String> typeNames() {
    return types.entrySet().stream().filter(e -> !e.getKey().contains(".")).map(Map.Entry::getKey)
        .toList();
  }

  /**
   * Parses JSON text.
   *
   * @param text the text
   * @return the tree
   * @throws JsonFieldException when it is not JSON, with the parser's position
   */
  public static JsonNode parse(String text) {
    try {
      JsonNode node = MAPPER.readTree(text == null ? "" : text);
      if (node == null || node.isMissingNode()) {
        throw new JsonFieldException("", "empty body: expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new JsonFieldException("", "malformed JSON: " + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    }
  }

  /**
   * One command from its type name and payload.
   *
   * @param type simple or full name of a command type of the aggregate
   * @param payload the command's fields
   * @return the command
   * @throws UnknownNameException when the aggregate has no such command type
   * @throws JsonFieldException naming the field that does not fit
   */
  public SpecificRecord command(String type, JsonNode payload) {
    Class<? extends SpecificRecord> commandType = types.get(type);
    if (commandType == null) {
      throw new UnknownNameException("command type", type + "' for '" + aggregate, typeNames());
    }
    return AvroJson.toSpecific(payload, commandType);
  }

  /**
   * A request from an envelope (see the class description).
   *
   * @param streamId the target stream
   * @param envelope the envelope
   * @return the request, with a random command id when none is given
   * @throws UnknownNameException for an unknown command type
   * @throws JsonFieldException naming the field that does not fit
   */
  public CommandRequest request(String streamId, JsonNode envelope) {
    if (!envelope.isObject()) {
      throw new JsonFieldException("", "expected an object {\"type\": ..., \"payload\": {...}}, got "
          + envelope.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    for (Iterator<String> names = envelope.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!ENVELOPE_FIELDS.contains(name)) {
        throw new JsonFieldException(name, "unknown field; a command has " + List.of("type",
            "payload", "expectedVersion", "commandId", "correlationId"));
      }
    }
    JsonNode type = envelope.get("type");
    if (type == null || !type.isTextual()) {
      throw new JsonFieldException("type", type == null ? "missing (the command type, one of "
          + typeNames() + ")" : "expected a string, got " + type);
    }
    JsonNode payload = envelope.get("payload");
    if (payload == null) {
      throw new JsonFieldException("payload", "missing (the command's fields as an object)");
    }
    SpecificRecord command;
    try {
      command = command(type.textValue(), payload);
    } catch (JsonFieldException e) {
      throw new JsonFieldException(e.field().isEmpty() ? "payload" : "payload." + e.field(),
          e.problem());
    }
    CommandRequest request = new CommandRequest(streamId, command,
        text(envelope, "commandId", UUID.randomUUID().toString()), null,
        text(envelope, "correlationId", null));
    JsonNode expected = envelope.get("expectedVersion");
    if (expected != null && !expected.isNull()) {
      if (!expected.isIntegralNumber() || !expected.canConvertToLong() || expected.longValue() < 0) {
        throw new JsonFieldException("expectedVersion", "expected a version >= 0, got " + expected);
      }
      request = request.expectingVersion(expected.longValue());
    }
    return request;
  }

  private static String text(JsonNode envelope, String field, String otherwise) {
    JsonNode value = envelope.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isTextual() || value.textValue().isEmpty()) {
      throw new JsonFieldException(field, "expected a non-empty string, got " + value);
    }
    return value.textValue();
  }

  /**
   * A command result as JSON: {@code commandId, streamId, status, duplicate, version,
   * expectedVersion, reason, decidedAt, events [{version, eventId, type, data}]}.
   *
   * @param result the result
   * @return a JSON object
   */
  public static ObjectNode resultJson(CommandResult result) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("commandId", result.commandId());
    json.put("streamId", result.streamId());
    json.put("status", result.status().name());
    json.put("duplicate", result.duplicate());
    json.put("version", result.version());
    if (result.expectedVersion() == null) {
      json.putNull("expectedVersion");
    } else {
      json.put("expectedVersion", result.expectedVersion());
    }
    json.put("reason", result.reason());
    json.put("decidedAt", result.decidedAt() == null ? null : result.decidedAt().toString());
    ArrayNode events = json.putArray("events");
    for (AppendedEvent event : result.events()) {
      eventJson(events.addObject(), event.version(), event.eventId(), event.event());
    }
    return json;
  }

  // One shape for an event everywhere: command results, stream reads, traces.
  private static ObjectNode eventJson(ObjectNode json, long version, String eventId,
      SpecificRecord event) {
    json.put("version", version);
    json.put("eventId", eventId);
    json.put("type", event.getSchema().getName());
    json.set("data", AvroJson.toJson(event));
    return json;
  }

  private static ObjectNode storedJson(ObjectNode json, StoredEvent event) {
    eventJson(json, event.version(), event.eventId(), event.event());
    json.put("appendedAt", event.appendedAt().toString());
    return json;
  }

  /**
   * A stream's events as JSON: {@code streamId, events [{version, eventId, type, data,
   * appendedAt}]}, the event fields as in {@link #resultJson}.
   *
   * @param streamId the stream
   * @param events its events, in version order
   * @return a JSON object
   */
  public static ObjectNode eventsJson(String streamId, List<StoredEvent> events) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("streamId", streamId);
    ArrayNode array = json.putArray("events");
    events.forEach(event -> storedJson(array.addObject(), event));
    return json;
  }

  /**
   * A stream's trace as JSON: {@code streamId, initialState, steps [{version, eventId, type, data,
   * appendedAt, stateAfter}], rendered} where {@code rendered} is {@link StreamTrace#render()}, the
   * text {@code eskafka stream read --trace} prints.
   *
   * @param trace the trace
   * @return a JSON object
   */
  public static ObjectNode traceJson(StreamTrace<? extends SpecificRecord> trace) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("streamId", trace.streamId());
    json.set("initialState", AvroJson.toJson(trace.initialState()));
    ArrayNode steps = json.putArray("steps");
    for (TraceStep<? extends SpecificRecord> step : trace.steps()) {
      storedJson(steps.addObject(), step.event()).set("stateAfter",
          AvroJson.toJson(step.stateAfter()));
    }
    json.put("rendered", trace.render());
    return json;
  }

  /**
   * A stream's current state as JSON: {@code streamId, version, updatedAt, state}.
   *
   * @param state the state
   * @return a JSON object
   */
  public static ObjectNode stateJson(StreamState<? extends SpecificRecord> state) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("streamId", state.streamId());
    json.put("version", state.version());
    json.put("updatedAt", state.updatedAt() == null ? null : state.updatedAt().toString());
    json.set("state", AvroJson.toJson(state.state()));
    return json;
  }
}
