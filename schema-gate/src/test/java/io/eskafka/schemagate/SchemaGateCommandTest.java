package io.eskafka.schemagate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaGateCommandTest {

  private static String[] args(Path root) {
    return new String[] {
        "--current", root.resolve("current").toString(),
        "--history", root.resolve("history").toString(),
        "--rules", root.resolve("compatibility.properties").toString()};
  }

  @Test
  void mainThrowsWithTheViolationsAsMessage() {
    // exec-maven-plugin's java goal fails the build with this message.
    assertThatThrownBy(() -> SchemaGateCommand.main(args(Fixtures.root("incompatible-event"))))
        .isInstanceOf(SchemaGateException.class)
        .hasMessageStartingWith("schema evolution gate FAILED (2 problems):")
        .hasMessageContaining("test.events.MoneyDeposited: current vs v1 is not BACKWARD_TRANSITIVE-compatible")
        .satisfies(e -> assertThat(((SchemaGateException) e).report().violations()).hasSize(2));
  }

  @Test
  void mainReturnsNormallyWhenTheGatePasses() throws IOException {
    SchemaGateCommand.main(args(Fixtures.root("compatible")));
  }

  @Test
  void missingArgumentIsReportedWithUsage() {
    assertThatThrownBy(() -> SchemaGateCommand.main(new String[] {"--current", "x", "--history", "y"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--rules is missing; usage:");
  }

  @Test
  void incompatibleVersionCommittedStraightIntoTheHistoryIsCaught(@TempDir Path root) throws IOException {
    Path history = Files.createDirectories(root.resolve("history/test.events.Renamed"));
    Files.writeString(history.resolve("v1.avsc"), record("Renamed", "{\"name\": \"a\", \"type\": \"int\"}"));
    Files.writeString(history.resolve("v2.avsc"), record("Renamed", "{\"name\": \"b\", \"type\": \"int\"}"));
    Files.createDirectories(root.resolve("current"));
    Files.writeString(root.resolve("compatibility.properties"), "default=BACKWARD_TRANSITIVE\n");

    GateReport report = SchemaGateCommand.run(root.resolve("current"), root.resolve("history"),
        root.resolve("compatibility.properties"));

    assertThat(report.violations()).singleElement().satisfies(violation -> {
      assertThat(violation.subject()).isEqualTo("test.events.Renamed");
      assertThat(violation.message()).startsWith("v2 vs v1 ").contains("field 'b'");
    });
    assertThat(report.subjectLines())
        .containsExactly("test.events.Renamed: v1..v2, no current schema (retired) BACKWARD_TRANSITIVE FAILED");
  }

  @Test
  void sameRecordTwiceInTheCurrentSchemasFails(@TempDir Path root) throws IOException {
    Path current = Files.createDirectories(root.resolve("current/nested"));
    Files.writeString(root.resolve("current/One.avsc"), record("One", ""));
    Files.writeString(current.resolve("Copy.avsc"), record("One", ""));
    Files.writeString(root.resolve("compatibility.properties"), "default=BACKWARD_TRANSITIVE\n");

    GateReport report = SchemaGateCommand.run(root.resolve("current"), root.resolve("history"),
        root.resolve("compatibility.properties"));

    assertThat(report.violations()).singleElement()
        .satisfies(violation -> assertThat(violation.render()).startsWith("test.events.One: defined twice"));
  }

  private static String record(String name, String fields) {
    return "{\"type\": \"record\", \"name\": \"" + name + "\", \"namespace\": \"test.events\", \"fields\": ["
        + fields + "]}";
  }
}
