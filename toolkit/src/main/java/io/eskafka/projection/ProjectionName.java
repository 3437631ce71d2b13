package io.eskafka.projection;

import java.util.regex.Pattern;

/** The rule for projection names, shared by both kinds of projection. */
final class ProjectionName {

  // The characters Kafka allows in topic names: safe in group ids, in kafka-consumer-groups
  // arguments and in the offsets table without quoting.
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

  private ProjectionName() {}

  /**
   * Checks a name.
   *
   * @param name the candidate, may be {@code null}
   * @return the name
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static String requireLegal(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("projection name must not be null or empty");
    }
    if (name.length() > Projection.MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("projection name is " + name.length()
          + " characters long; at most " + Projection.MAX_NAME_LENGTH + " are allowed");
    }
    if (!LEGAL.matcher(name).matches()) {
      throw new IllegalArgumentException("projection name '" + name
          + "' is not a legal consumer group id part: use only ASCII letters, digits, '.', '_' and '-'");
    }
    return name;
  }
}
