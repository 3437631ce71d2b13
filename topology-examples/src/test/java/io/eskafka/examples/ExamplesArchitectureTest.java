package io.eskafka.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Example aggregates are pure domain code; examples use only the toolkit's public API. */
class ExamplesArchitectureTest {

  private final com.tngtech.archunit.core.domain.JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.eskafka.examples");

  @Test
  void aggregatePackagesImportNoKafka() {
    noClasses().that().resideInAnyPackage("io.eskafka.examples.bank..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "kafka..",
            "io.eskafka.kafka..", "io.eskafka.client..", "io.eskafka.internal..")
        .check(classes);
  }

  @Test
  void examplesDoNotUseToolkitInternals() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.eskafka.internal..")
        .check(classes);
  }
}
