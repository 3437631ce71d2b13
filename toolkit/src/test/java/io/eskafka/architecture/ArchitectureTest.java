package io.eskafka.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Package boundaries of the toolkit (see DESIGN.md, "Layout"). */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.eskafka");
  }

  @Test
  void domainApiImportsNoKafka() {
    noClasses().that().resideInAnyPackage("io.eskafka.decider..", "io.eskafka.projection..",
            "io.eskafka.process..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "kafka..",
            "io.eskafka.kafka..", "io.eskafka.client..", "io.eskafka.internal..")
        .allowEmptyShould(true)
        .because("aggregates are pure functions that know nothing of Kafka")
        .check(classes);
  }

  @Test
  void onlyTheTestingPackageUsesKafkaServerCode() {
    noClasses().that().resideOutsideOfPackage("io.eskafka.testing..")
        .should().dependOnClassesThat().resideInAnyPackage("kafka..", "org.apache.kafka.server..",
            "org.apache.kafka.raft..", "org.apache.kafka.metadata..")
        .because("the broker jars are optional dependencies, needed only by EmbeddedKafka")
        .check(classes);
  }

  @Test
  void productionCodeDoesNotDependOnTestFixtures() {
    noClasses().that().resideOutsideOfPackage("io.eskafka.testing..")
        .should().dependOnClassesThat().resideInAnyPackage("io.eskafka.testing..")
        .because("fixtures and the embedded broker are for tests and demos only")
        .check(classes);
  }
}
