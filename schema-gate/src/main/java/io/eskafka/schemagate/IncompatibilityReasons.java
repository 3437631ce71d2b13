package io.eskafka.schemagate;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Turns Avro's verdict on a reader/writer pair into readable sentences. Avro's validator only
 * throws a {@code SchemaValidationException} quoting both schemas in full; the same library's
 * {@link SchemaCompatibility} names the incompatibility, its location and the field, which is
 * what someone fixing a schema needs.
 *
 * <p>Stateless; safe to use from any thread.
 */
final class IncompatibilityReasons {

  private IncompatibilityReasons() {}

  /**
   * Why {@code reader} cannot read data written with {@code writer}.
   *
   * @param reader the reading schema, never {@code null}
   * @param writer the writing schema, never {@code null}
   * @return one sentence per incompatibility; empty when the pair is compatible
   */
  static List<String> whyCannotRead(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaCompatibilityResult result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    List<String> reasons = new ArrayList<>();
    if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
      return reasons;
    }
    for (Incompatibility incompatibility : result.getIncompatibilities()) {
      reasons.add(describe(incompatibility, reader));
    }
    return reasons;
  }

  private static String describe(Incompatibility incompatibility, Schema reader) {
    String location = incompatibility.getLocation();
    String field = fieldPath(reader, location);
    return incompatibility.getType()
        + (field.isEmpty() ? "" : " at field '" + field + "'")
        + " (" + location + "): " + incompatibility.getMessage()
        + gloss(incompatibility.getType());
  }

  private static String gloss(SchemaCompatibility.SchemaIncompatibilityType type) {
    return switch (type) {
      case READER_FIELD_MISSING_DEFAULT_VALUE ->
          " [the reader has a field the writer lacks and no default for it: give it a default]";
      case TYPE_MISMATCH -> " [the types cannot be resolved (only promotions like int->long are)]";
      case NAME_MISMATCH -> " [a named type changed its name: add the old name as an alias]";
      case MISSING_ENUM_SYMBOLS -> " [the writer has enum symbols the reader lacks: add an enum default]";
      case MISSING_UNION_BRANCH -> " [the writer's union has a branch the reader's lacks]";
      case FIXED_SIZE_MISMATCH -> " [fixed types differ in size]";
    };
  }

  /**
   * Maps Avro's JSON-pointer location (in the reader schema, e.g. {@code /fields/2/type/1}) to
   * dotted field names, e.g. {@code address.street}. Best effort: stops at the first step it
   * does not understand.
   */
  private static String fieldPath(Schema reader, String location) {
    List<String> names = new ArrayList<>();
    Schema schema = reader;
    String[] steps = location.split("/");
    for (int i = 1; i < steps.length; i++) {
      String step = steps[i];
      if (step.equals("fields") && i + 1 < steps.length && schema.getType() == Schema.Type.RECORD) {
        Integer index = indexOrNull(steps[++i]);
        if (index == null || index >= schema.getFields().size()) {
          break;
        }
        Schema.Field field = schema.getFields().get(index);
        names.add(field.name());
        schema = field.schema();
      } else if (step.equals("type")) {
        continue;
      } else if (step.equals("items") && schema.getType() == Schema.Type.ARRAY) {
        schema = schema.getElementType();
      } else if (step.equals("values") && schema.getType() == Schema.Type.MAP) {
        schema = schema.getValueType();
      } else if (schema.getType() == Schema.Type.UNION && indexOrNull(step) != null
          && indexOrNull(step) < schema.getTypes().size()) {
        schema = schema.getTypes().get(indexOrNull(step));
      } else {
        break;
      }
    }
    return String.join(".", names);
  }

  private static Integer indexOrNull(String step) {
    try {
      return Integer.valueOf(step);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
