package io.eskafka.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds {@link Settings} from, in rising precedence: defaults, a properties file, {@code
 * ESKAFKA_*} environment variables, command-line values. Stateless.
 *
 * <p>Environment variables map to keys by dropping {@code ESKAFKA_}, lower-casing and turning
 * {@code _} into {@code .}: {@code ESKAFKA_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers},
 * {@code ESKAFKA_KAFKA_SASL_MECHANISM} sets the raw Kafka setting {@code sasl.mechanism}. Keys
 * starting with {@code kafka.} are raw Kafka client settings passed on without the prefix. An
 * unknown key or an invalid value fails with a message naming the key, the value and where it came
 * from.
 */
public final class SettingsLoader {

  /** Prefix of raw Kafka client settings. */
  public static final String KAFKA_PREFIX = "kafka.";
  /** Prefix of environment variables read as settings. */
  public static final String ENV_PREFIX = "ESKAFKA_";
  /** Environment variables of the launcher script, not settings. */
  public static final Set<String> LAUNCHER_VARIABLES = Set.of("ESKAFKA_CLASSPATH",
      "ESKAFKA_JAVA_OPTS", "ESKAFKA_HOME");

  /** The known keys (besides {@code kafka.*}) with their defaults ({@code ""}: none). */
  public static final Map<String, String> KEYS = keys();

  private SettingsLoader() {}

  private static Map<String, String> keys() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("bootstrap.servers", "127.0.0.1:9092");
    keys.put("registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
    keys.put("registry.username", "");
    keys.put("registry.password", "");
    keys.put("registry.auto.register", "true");
    keys.put("application.id", "");
    keys.put("state.dir", "");
    keys.put("threads", "1");
    keys.put("http.port", "8080");
    keys.put("http.advertised.host", "127.0.0.1");
    keys.put("http.url", "http://127.0.0.1:8080");
    keys.put("query.timeout.ms", "5000");
    keys.put("command.timeout.ms", "10000");
    keys.put("startup.timeout.ms", "30000");
    keys.put("topics.partitions", "6");
    keys.put("topics.replication.factor", "1");
    keys.put("topics.apply", "true");
    return Map.copyOf(keys);
  }

  /** A value and where it came from, for error messages. */
  private record Sourced(String value, String source) {}

  /**
   * Resolves the settings.
   *
   * @param configFile a properties file, or {@code null} for none
   * @param environment the process environment (only {@code ESKAFKA_*} entries are read)
   * @param flags values given on the command line, by key; win over everything
   * @return the settings
   * @throws IllegalArgumentException naming the key, value and source of the first problem, or the
   *     file that cannot be read
   */
  public static Settings load(Path configFile, Map<String, String> environment,
      Map<String, String> flags) {
    Map<String, Sourced> values = new TreeMap<>();
    KEYS.forEach((key, value) -> {
      if (!value.isEmpty()) {
        values.put(key, new Sourced(value, "default"));
      }
    });
    if (configFile != null) {
      Properties file = new Properties();
      try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
        file.load(reader);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("config file " + configFile + " does not exist");
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + configFile + ": " + e);
      }
      for (String key : file.stringPropertyNames()) {
        put(values, key, file.getProperty(key).trim(), configFile.toString());
      }
    }
    new TreeMap<>(environment).forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && !LAUNCHER_VARIABLES.contains(name)) {
        String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        put(values, key, value, "environment variable " + name);
      }
    });
    flags.forEach((key, value) -> put(values, key, value, "command line"));
    return build(values);
  }

  private static void put(Map<String, Sourced> values, String key, String value, String source) {
    if (!KEYS.containsKey(key) && !(key.startsWith(KAFKA_PREFIX)
        && key.length() > KAFKA_PREFIX.length())) {
      throw new IllegalArgumentException("unknown setting '" + key + "' (from " + source
          + "); known: " + new TreeMap<>(KEYS).keySet() + " and kafka.<any Kafka client setting>");
    }
    values.put(key, new Sourced(value, source));
  }

  private static Settings build(Map<String, Sourced> values) {
    Map<String, String> kafka = new TreeMap<>();
    values.forEach((key, value) -> {
      if (key.startsWith(KAFKA_PREFIX)) {
        kafka.put(key.substring(KAFKA_PREFIX.length()), value.value());
      }
    });
    int replication = integer(values, "topics.replication.factor", 1, Short.MAX_VALUE);
    return new Settings(
        text(values, "bootstrap.servers"),
        text(values, "registry.url"),
        optional(values, "registry.username"),
        optional(values, "registry.password"),
        bool(values, "registry.auto.register"),
        optional(values, "application.id"),
        optional(values, "state.dir") == null ? null : Path.of(optional(values, "state.dir")),
        integer(values, "threads", 1, 64),
        integer(values, "http.port", 0, 65535),
        text(values, "http.advertised.host"),
        url(values, "http.url"),
        Duration.ofMillis(integer(values, "query.timeout.ms", 1, Integer.MAX_VALUE)),
        Duration.ofMillis(integer(values, "command.timeout.ms", 1, Integer.MAX_VALUE)),
        Duration.ofMillis(integer(values, "startup.timeout.ms", 1, Integer.MAX_VALUE)),
        integer(values, "topics.partitions", 1, 100_000),
        (short) replication,
        bool(values, "topics.apply"),
        kafka);
  }

  private static String text(Map<String, Sourced> values, String key) {
    String value = optional(values, key);
    if (value == null) {
      throw new IllegalArgumentException(key + ": must not be empty");
    }
    return value;
  }

  private static String url(Map<String, Sourced> values, String key) {
    String value = text(values, key);
    try {
      java.net.URI uri = new java.net.URI(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + ": expected an http(s)://host[:port] URL, got '"
        + value + "' (from " + values.get(key).source() + ")");
  }

  private static String optional(Map<String, Sourced> values, String key) {
    Sourced value = values.get(key);
    return value == null || value.value().isBlank() ? null : value.value().trim();
  }

  private static int integer(Map<String, Sourced> values, String key, int min, int max) {
    Sourced value = values.get(key);
    try {
      int parsed = Integer.parseInt(value.value().trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below, with the accepted range
    }
    throw new IllegalArgumentException(key + ": expected an integer from " + min + " to " + max
        + ", got '" + value.value() + "' (from " + value.source() + ")");
  }

  private static boolean bool(Map<String, Sourced> values, String key) {
    Sourced value = values.get(key);
    String text = value.value().trim().toLowerCase(Locale.ROOT);
    if (List.of("true", "false").contains(text)) {
      return Boolean.parseBoolean(text);
    }
    throw new IllegalArgumentException(key + ": expected true or false, got '" + value.value()
        + "' (from " + value.source() + ")");
  }
}
