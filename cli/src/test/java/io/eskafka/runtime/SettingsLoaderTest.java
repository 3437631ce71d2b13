package io.eskafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {

  @TempDir
  Path dir;

  @Test
  void defaultsWithoutAnySource() {
    Settings settings = SettingsLoader.load(null, Map.of(), Map.of());
    assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(settings.registryUrl()).isEqualTo("http://127.0.0.1:8081/apis/ccompat/v7");
    assertThat(settings.applicationId()).isNull();
    assertThat(settings.stateDir()).isNull();
    assertThat(settings.threads()).isEqualTo(1);
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.commandTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.topicPartitions()).isEqualTo(6);
    assertThat(settings.applyTopics()).isTrue();
    assertThat(settings.kafka()).isEmpty();
    assertThat(settings.appOptions("bank", "bank-account").applicationId())
        .isEqualTo("bank.bank-account");
  }

  @Test
  void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws IOException {
    Path file = write("bootstrap.servers=file:9092\nthreads=3\nhttp.port=9000\n"
        + "application.id=from-file\n");
    Map<String, String> env = Map.of("ESKAFKA_BOOTSTRAP_SERVERS", "env:9092",
        "ESKAFKA_THREADS", "4", "PATH", "/usr/bin");
    Settings settings = SettingsLoader.load(file, env, Map.of("bootstrap.servers", "flag:9092"));
    assertThat(settings.bootstrapServers()).isEqualTo("flag:9092");
    assertThat(settings.threads()).isEqualTo(4);
    assertThat(settings.httpPort()).isEqualTo(9000);
    assertThat(settings.applicationId()).isEqualTo("from-file");
    assertThat(settings.commandTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.appOptions("bank", "bank-account").applicationId())
        .isEqualTo("from-file.bank-account");
    assertThat(settings.appOptions("bank", "bank-account").streamThreads()).isEqualTo(4);
  }

  @Test
  void kafkaPrefixedKeysPassThroughUntouchedToEveryClient() throws IOException {
    Path file = write("kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\n"
        + "kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"u\" password=\"p=q\";\n");
    Settings settings = SettingsLoader.load(file,
        Map.of("ESKAFKA_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"), Map.of());
    assertThat(settings.kafka()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
            + " required username=\"u\" password=\"p=q\";");
    assertThat(settings.appOptions("a", "b").kafkaOverrides()).isEqualTo(settings.kafka());
    assertThat(settings.gatewayOptions().kafkaOverrides()).isEqualTo(settings.kafka());
    assertThat(settings.adminConfig()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("bootstrap.servers", "127.0.0.1:9092");
  }

  @Test
  void launcherVariablesAreNotSettings() {
    Settings settings = SettingsLoader.load(null, Map.of("ESKAFKA_CLASSPATH", "/x.jar",
        "ESKAFKA_JAVA_OPTS", "-Xmx1g"), Map.of());
    assertThat(settings.kafka()).isEmpty();
  }

  @Test
  void unknownKeyNamesTheKeyItsSourceAndTheKnownKeys() throws IOException {
    Path file = write("bootstrap.server=x:9092\n");
    assertThatThrownBy(() -> SettingsLoader.load(file, Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown setting 'bootstrap.server' (from " + file + ")")
        .hasMessageContaining("bootstrap.servers");
    assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("ESKAFKA_THREDS", "2"), Map.of()))
        .hasMessageContaining("unknown setting 'threds' (from environment variable ESKAFKA_THREDS)");
  }

  @Test
  void invalidValueNamesTheKeyValueAndSource() {
    assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("ESKAFKA_THREADS", "many"), Map.of()))
        .hasMessage("threads: expected an integer from 1 to 64, got 'many' (from environment "
            + "variable ESKAFKA_THREADS)");
    assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(), Map.of("http.port", "70000")))
        .hasMessage("http.port: expected an integer from 0 to 65535, got '70000' (from command line)");
    assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(), Map.of("topics.apply", "yes")))
        .hasMessage("topics.apply: expected true or false, got 'yes' (from command line)");
    assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(), Map.of("bootstrap.servers", " ")))
        .hasMessage("bootstrap.servers: must not be empty");
  }

  @Test
  void missingConfigFileIsNamed() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> SettingsLoader.load(missing, Map.of(), Map.of()))
        .hasMessage("config file " + missing + " does not exist");
  }

  @Test
  void registryCredentialsAndStateDir() {
    Settings settings = SettingsLoader.load(null, Map.of(), Map.of("registry.username", "svc",
        "registry.password", "secret", "state.dir", dir.toString()));
    assertThat(settings.registryOptions().credentials().authorizationHeader()).isPresent();
    assertThat(settings.appOptions("a", "b").stateDir()).isEqualTo(dir);
  }

  private Path write(String content) throws IOException {
    Path file = dir.resolve("eskafka.properties");
    Files.writeString(file, content);
    return file;
  }
}
