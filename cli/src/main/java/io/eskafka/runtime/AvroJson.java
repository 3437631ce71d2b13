package io.eskafka.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain JSON to and from Avro records, driven by the schema: the JSON people type ({@code
 * {"amountCents": 100}}), not Avro's own JSON encoding (no {@code {"long": 100}} union wrappers).
 * Stateless and thread-safe.
 *
 * <p>Mapping: records are objects (a missing field takes its schema default, an unknown field is an
 * error); int/long need integral numbers in range; float/double any number; enums their symbol;
 * bytes and fixed base64 text; a union takes the first branch the value fits ({@code null} for
 * the null branch).
 */
public final class AvroJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AvroJson() {}

  /**
   * Converts JSON to an instance of a generated Avro class, through the class's own reader (the
   * path the serde decodes with), so the result is exactly what the class expects.
   *
   * @param json the value, an object
   * @param type the generated class
   * @param <T> the class
   * @return a new instance
   * @throws JsonFieldException naming the first field that does not fit and why
   */
  public static <T extends SpecificRecord> T toSpecific(JsonNode json, Class<T> type) {
    SpecificData data = new SpecificData(type.getClassLoader());
    Schema schema = data.getSchema(type);
    Object generic = fromJson(json, schema, "");
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
      new GenericDatumWriter<Object>(schema).write(generic, encoder);
      encoder.flush();
      return new SpecificDatumReader<T>(schema, schema, data)
          .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException("re-reading a converted " + schema.getFullName(), e);
    }
  }

  /**
   * Converts JSON to an Avro generic datum of the schema.
   *
   * @param json the value
   * @param schema its schema
   * @param path the field path so far, for messages ({@code ""} at the top)
   * @return a generic datum ({@link GenericData.Record} for records)
   * @throws JsonFieldException naming the first field that does not fit and why
   */
  public static Object fromJson(JsonNode json, Schema schema, String path) {
    JsonNode node = json == null ? NODES.nullNode() : json;
    switch (schema.getType()) {
      case RECORD:
        return record(node, schema, path);
      case NULL:
        if (node.isNull()) {
          return null;
        }
        throw mismatch(path, "null", node);
      case BOOLEAN:
        if (node.isBoolean()) {
          return node.booleanValue();
        }
        throw mismatch(path, "boolean", node);
      case INT:
        if (node.isIntegralNumber() && node.canConvertToInt()) {
          return node.intValue();
        }
        throw mismatch(path, "int", node);
      case LONG:
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          return node.longValue();
        }
        throw mismatch(path, "long", node);
      case FLOAT:
        if (node.isNumber()) {
          return node.floatValue();
        }
        throw mismatch(path, "float", node);
      case DOUBLE:
        if (node.isNumber()) {
          return node.doubleValue();
        }
        throw mismatch(path, "double", node);
      case STRING:
        if (node.isTextual()) {
          return node.textValue();
        }
        throw mismatch(path, "string", node);
      case ENUM:
        if (node.isTextual() && schema.getEnumSymbols().contains(node.textValue())) {
          return new GenericData.EnumSymbol(schema, node.textValue());
        }
        throw mismatch(path, "one of " + schema.getEnumSymbols(), node);
      case BYTES:
        return ByteBuffer.wrap(base64(node, path, "bytes (base64 text)"));
      case FIXED: {
        byte[] bytes = base64(node, path, schema.getFixedSize() + " bytes (base64 text)");
        if (bytes.length != schema.getFixedSize()) {
          throw new JsonFieldException(path, "expected " + schema.getFixedSize()
              + " bytes (base64 text), got " + bytes.length + " bytes");
        }
        return new GenericData.Fixed(schema, bytes);
      }
      case ARRAY: {
        if (!node.isArray()) {
          throw mismatch(path, "array", node);
        }
        List<Object> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
          items.add(fromJson(node.get(i), schema.getElementType(), path + "[" + i + "]"));
        }
        return new GenericData.Array<>(schema, items);
      }
      case MAP: {
        if (!node.isObject()) {
          throw mismatch(path, "object (map)", node);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          map.put(entry.getKey(), fromJson(entry.getValue(), schema.getValueType(),
              join(path, entry.getKey())));
        }
        return map;
      }
      case UNION:
        return union(node, schema, path);
      default:
        throw new JsonFieldException(path, "unsupported Avro type " + schema.getType());
    }
  }

  private static GenericRecord record(JsonNode node, Schema schema, String path) {
    if (!node.isObject()) {
      throw mismatch(path, "object (" + schema.getName() + ")", node);
    }
    List<String> known = schema.getFields().stream().map(Schema.Field::name).toList();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (schema.getField(name) == null) {
        throw new JsonFieldException(join(path, name), "unknown field; " + schema.getName()
            + " has " + known);
      }
    }
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      String fieldPath = join(path, field.name());
      JsonNode value = node.get(field.name());
      if (value == null) {
        if (!field.hasDefaultValue()) {
          throw new JsonFieldException(fieldPath, "missing (required, " + describe(field.schema())
              + ")");
        }
        record.put(field.pos(), GenericData.get().deepCopy(field.schema(),
            GenericData.get().getDefaultValue(field)));
      } else {
        record.put(field.pos(), fromJson(value, field.schema(), fieldPath));
      }
    }
    return record;
  }

  private static Object union(JsonNode node, Schema schema, String path) {
    List<String> tried = new ArrayList<>();
    for (Schema branch : schema.getTypes()) {
      try {
        return fromJson(node, branch, path);
      } catch (JsonFieldException e) {
        if (!e.field().equals(path)) {
          throw e; // the value fits this branch's shape; the problem is deeper inside it
        }
        tried.add(describe(branch));
      }
    }
    throw mismatch(path, String.join(" or ", tried), node);
  }

  private static byte[] base64(JsonNode node, String path, String expected) {
    if (node.isTextual()) {
      try {
        return Base64.getDecoder().decode(node.textValue());
      } catch (IllegalArgumentException e) {
        throw new JsonFieldException(path, "expected " + expected + ", got invalid base64: "
            + e.getMessage());
      }
    }
    throw mismatch(path, expected, node);
  }

  private static String describe(Schema schema) {
    return switch (schema.getType()) {
      case RECORD, ENUM, FIXED -> schema.getName();
      case UNION -> String.join(" or ", schema.getTypes().stream().map(AvroJson::describe).toList());
      default -> schema.getType().getName();
    };
  }

  private static JsonFieldException mismatch(String path, String expected, JsonNode got) {
    String shown = got.toString();
    if (shown.length() > 60) {
      shown = shown.substring(0, 57) + "...";
    }
    return new JsonFieldException(path, "expected " + expected + ", got " + shown);
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /**
   * Converts an Avro datum (generic or generated) to plain JSON, the inverse of {@link
   * #fromJson}: unions unwrapped, enums as symbols, bytes as base64.
   *
   * @param datum the value, may be {@code null}
   * @param schema its schema
   * @return a JSON node, never {@code null} ({@code null} becomes a JSON null)
   */
  public static JsonNode toJson(Object datum, Schema schema) {
    if (datum == null) {
      return NODES.nullNode();
    }
    switch (schema.getType()) {
      case RECORD: {
        IndexedRecord record = (IndexedRecord) datum;
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
          object.set(field.name(), toJson(record.get(field.pos()), field.schema()));
        }
        return object;
      }
      case BOOLEAN:
        return NODES.booleanNode((Boolean) datum);
      case INT:
        return NODES.numberNode(((Number) datum).intValue());
      case LONG:
        return NODES.numberNode(((Number) datum).longValue());
      case FLOAT:
        return NODES.numberNode(((Number) datum).floatValue());
      case DOUBLE:
        return NODES.numberNode(((Number) datum).doubleValue());
      case STRING:
      case ENUM:
        return NODES.textNode(datum.toString());
      case BYTES: {
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      }
      case FIXED:
        return NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
      case ARRAY: {
        ArrayNode array = NODES.arrayNode();
        for (Object item : (Iterable<?>) datum) {
          array.add(toJson(item, schema.getElementType()));
        }
        return array;
      }
      case MAP: {
        ObjectNode object = NODES.objectNode();
        ((Map<?, ?>) datum).forEach((key, value) ->
            object.set(key.toString(), toJson(value, schema.getValueType())));
        return object;
      }
      case UNION:
        return toJson(datum, schema.getTypes().get(SpecificData.get().resolveUnion(schema, datum)));
      default:
        return NODES.nullNode();
    }
  }

  /**
   * Converts an Avro record to plain JSON.
   *
   * @param record a generic or generated record, not {@code null}
   * @return a JSON object
   */
  public static JsonNode toJson(GenericContainer record) {
    return toJson(record, record.getSchema());
  }
}
