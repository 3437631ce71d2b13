package io.eskafka.cli;

import io.eskafka.runtime.Settings;
import io.eskafka.runtime.SettingsLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The settings options every command that talks to Kafka takes (a picocli mixin). */
final class SettingsOptions {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Settings file (Java properties). Precedence: flags > ESKAFKA_* environment "
          + "variables > this file > defaults.")
  Path config;

  @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
      description = "Kafka bootstrap servers (bootstrap.servers; default 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(names = "--registry-url", paramLabel = "URL",
      description = "Confluent-compatible schema registry (registry.url; default "
          + "http://127.0.0.1:8081/apis/ccompat/v7).")
  String registryUrl;

  @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
      description = "Any setting, e.g. --set threads=2 --set kafka.security.protocol=SASL_SSL "
          + "(repeatable).")
  Map<String, String> set = new LinkedHashMap<>();

  /** The flags of this mixin as setting keys; a command adds its own through {@link #resolve}. */
  Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>(set);
    if (bootstrapServers != null) {
      flags.put("bootstrap.servers", bootstrapServers);
    }
    if (registryUrl != null) {
      flags.put("registry.url", registryUrl);
    }
    return flags;
  }

  Settings resolve(Map<String, String> environment, Map<String, String> moreFlags) {
    Map<String, String> flags = flags();
    flags.putAll(moreFlags);
    try {
      return SettingsLoader.load(config, environment, flags);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), ExitCode.ERROR);
    }
  }
}
