package io.eskafka.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The registry fixture's life cycle: start, answer, stop, and clear errors when the jar is missing. */
class DevSchemaRegistryIT {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private static int status(String url) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void theSharedRegistryServesTheConfluentApiAndIgnoresClose() throws Exception {
    DevSchemaRegistry registry = DevSchemaRegistry.shared();
    registry.close();

    assertThat(DevSchemaRegistry.shared()).isSameAs(registry);
    assertThat(registry.isShared()).isTrue();
    assertThat(registry.url()).isEqualTo("http://127.0.0.1:" + registry.port() + "/apis/ccompat/v7");
    assertThat(status(registry.url() + "/subjects")).isEqualTo(200);
    assertThat(registry.processHandle().isAlive()).isTrue();
  }

  @Test
  void aPrivateRegistryStopsItsProcessAndDeletesItsDirectoryOnClose() throws Exception {
    DevSchemaRegistry registry = DevSchemaRegistry.start();
    ProcessHandle process = registry.processHandle();
    String health = registry.baseUrl() + "/health/ready";
    Path log = registry.logFile();
    assertThat(status(health)).isEqualTo(200);
    assertThat(log).exists();

    registry.close();
    registry.close();

    // close() waits for the process, so it is gone at once; the deadline only guards the test.
    await().atMost(Duration.ofSeconds(5)).until(() -> !process.isAlive());
    assertThatThrownBy(() -> status(health)).isInstanceOf(IOException.class);
    assertThat(log.getParent()).doesNotExist();
  }

  @Test
  void aMissingJarIsReportedWithItsPath() {
    Path missing = Paths.get("target", "no-such-registry-runner.jar");

    assertThatThrownBy(() -> DevSchemaRegistry.start(missing, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(missing.toAbsolutePath().toString())
        .hasMessageContaining(DevSchemaRegistry.JAR_PROPERTY);
  }

  @Test
  void aMissingPropertyIsReportedByName() {
    String saved = System.getProperty(DevSchemaRegistry.JAR_PROPERTY);
    System.clearProperty(DevSchemaRegistry.JAR_PROPERTY);
    try {
      assertThatThrownBy(DevSchemaRegistry::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("system property " + DevSchemaRegistry.JAR_PROPERTY + " is not set");
    } finally {
      if (saved != null) {
        System.setProperty(DevSchemaRegistry.JAR_PROPERTY, saved);
      }
    }
  }

  @Test
  void aRegistryThatCannotStartFailsWithTheEndOfItsOutput() {
    // Not a Quarkus jar: the child JVM exits at once and says why.
    Path notARegistry = Paths.get("pom.xml");

    assertThatThrownBy(() -> DevSchemaRegistry.start(notARegistry, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("end of its output");
  }
}
