package io.eskafka.schemagate;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which {@link CompatibilityMode} applies to which subject (record full name), as read from a
 * properties file such as {@code schemas/compatibility.properties}:
 *
 * <pre>
 * default=BACKWARD_TRANSITIVE
 * io.eskafka.examples.bank.commands=FULL_TRANSITIVE
 * io.eskafka.examples.bank.events.AccountOpened=BACKWARD_TRANSITIVE
 * </pre>
 *
 * <p>A key is a full name or a namespace; the most specific key wins: the full name itself, then
 * its namespace, then each enclosing namespace. Subjects no key matches get {@code default}.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param defaultMode the mode of subjects no key matches, never {@code null}
 * @param modes full name or namespace to mode, never {@code null}; copied
 */
public record CompatibilityRules(CompatibilityMode defaultMode, Map<String, CompatibilityMode> modes) {

  /** The key of the fallback mode in the properties file. */
  public static final String DEFAULT_KEY = "default";

  private static final Pattern DOTTED_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  /** Validates and copies the parts. */
  public CompatibilityRules {
    Objects.requireNonNull(defaultMode, "defaultMode");
    modes = Map.copyOf(modes);
  }

  /**
   * Reads rules from a properties file, decoded as UTF-8.
   *
   * @param file the file, never {@code null}
   * @return the rules
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the file and the key when a key is not a dotted name,
   *     a mode is unknown, or {@code default} is missing
   */
  public static CompatibilityRules load(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Properties properties = new Properties();
      properties.load(reader);
      return parse(properties, file.toString());
    }
  }

  /**
   * Builds rules from already-loaded properties.
   *
   * @param properties key to mode name, never {@code null}
   * @param origin where the properties came from, for error messages; never {@code null}
   * @return the rules
   * @throws IllegalArgumentException as described for {@link #load(Path)}
   */
  public static CompatibilityRules parse(Properties properties, String origin) {
    CompatibilityMode fallback = null;
    Map<String, CompatibilityMode> modes = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      CompatibilityMode mode = modeNamed(properties.getProperty(key), key, origin);
      if (key.equals(DEFAULT_KEY)) {
        fallback = mode;
      } else if (DOTTED_NAME.matcher(key).matches()) {
        modes.put(key, mode);
      } else {
        throw new IllegalArgumentException(
            origin + ": key '" + key + "' is neither '" + DEFAULT_KEY + "' nor an Avro full name or namespace");
      }
    }
    if (fallback == null) {
      // Explicit, so nobody has to remember what the gate would assume.
      throw new IllegalArgumentException(origin + ": missing '" + DEFAULT_KEY + "=<mode>'");
    }
    return new CompatibilityRules(fallback, modes);
  }

  /**
   * The mode of one subject.
   *
   * @param fullName the record full name, never {@code null}
   * @return the mode of the most specific matching key, else the default; never {@code null}
   */
  public CompatibilityMode modeFor(String fullName) {
    String key = matchingKey(fullName);
    return key == null ? defaultMode : modes.get(key);
  }

  /**
   * Keys that match none of the given subjects. A typo in a key would otherwise silently give its
   * subjects the default mode, e.g. commands checked BACKWARD instead of FULL.
   *
   * @param fullNames all subjects, never {@code null}
   * @return the unused keys, sorted; empty when every key matches something
   */
  public List<String> unusedKeys(Collection<String> fullNames) {
    List<String> unused = new ArrayList<>();
    for (String key : new TreeMap<>(modes).keySet()) {
      if (fullNames.stream().noneMatch(name -> name.equals(key) || name.startsWith(key + "."))) {
        unused.add(key);
      }
    }
    return unused;
  }

  private String matchingKey(String fullName) {
    String candidate = fullName;
    while (true) {
      if (modes.containsKey(candidate)) {
        return candidate;
      }
      int dot = candidate.lastIndexOf('.');
      if (dot < 0) {
        return null;
      }
      candidate = candidate.substring(0, dot);
    }
  }

  private static CompatibilityMode modeNamed(String value, String key, String origin) {
    try {
      return CompatibilityMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + ": key '" + key + "' has unknown mode '" + value
          + "' (one of " + List.of(CompatibilityMode.values()) + ")", e);
    }
  }
}
