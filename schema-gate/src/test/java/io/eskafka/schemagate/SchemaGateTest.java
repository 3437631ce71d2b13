package io.eskafka.schemagate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaGateTest {

  @Test
  void compatibleEvolutionsPass() throws IOException {
    GateReport report = Fixtures.check("compatible");

    assertThat(report.violations()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.subjectLines()).containsExactly(
        "test.commands.Deposit: v1..v2 (= current) FULL_TRANSITIVE ok",
        "test.events.AccountClosed: current (never released) BACKWARD_TRANSITIVE ok",
        "test.events.AccountOpened: v1 + current (unreleased change) BACKWARD_TRANSITIVE ok",
        "test.events.MoneyDeposited: v1 + current (unreleased change) BACKWARD_TRANSITIVE ok");
  }

  @Test
  void eventFieldAddedWithoutDefaultFailsNamingSubjectVersionsAndReason() throws IOException {
    GateReport report = Fixtures.check("incompatible-event");

    assertThat(report.passed()).isFalse();
    assertThat(report.violations()).hasSize(2);
    Violation added = report.violations().get(0);
    assertThat(added.subject()).isEqualTo("test.events.MoneyDeposited");
    assertThat(added.message())
        .startsWith("current vs v1 is not BACKWARD_TRANSITIVE-compatible: current cannot read data written with v1: ")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE at field 'reference'");
    assertThat(report.subjectLines())
        .contains("test.events.MoneyDeposited: v1 + current (unreleased change) BACKWARD_TRANSITIVE FAILED");
  }

  @Test
  void eventFieldTypeChangeFailsWithTypeMismatch() throws IOException {
    GateReport report = Fixtures.check("incompatible-event");

    Violation changed = report.violations().get(1);
    assertThat(changed.subject()).isEqualTo("test.events.MoneyWithdrawn");
    assertThat(changed.message())
        .startsWith("current vs v1 ")
        .contains("TYPE_MISMATCH at field 'amountCents'")
        .contains("reader type: STRING not compatible with writer type: LONG");
  }

  @Test
  void failureMessageListsEveryViolation() throws IOException {
    GateReport report = Fixtures.check("incompatible-event");

    assertThat(report.failureMessage().lines().toList()).hasSize(3);
    assertThat(report.failureMessage())
        .startsWith("schema evolution gate FAILED (2 problems):")
        .contains("  test.events.MoneyDeposited: current vs v1 ")
        .contains("  test.events.MoneyWithdrawn: current vs v1 ");
  }

  @Test
  void fullCommandThatRemovesAFieldWithoutDefaultFails() throws IOException {
    GateReport report = Fixtures.check("command-removes-field");

    assertThat(report.violations()).singleElement().satisfies(violation -> {
      assertThat(violation.subject()).isEqualTo("test.commands.Withdraw");
      // Old readers (aggregates not yet upgraded) cannot read commands from new clients.
      assertThat(violation.message())
          .startsWith("current vs v1 is not FULL_TRANSITIVE-compatible: v1 cannot read data written with current: ")
          .contains("READER_FIELD_MISSING_DEFAULT_VALUE at field 'note'");
    });
  }

  @Test
  void removingAFieldIsFineForABackwardSubject() {
    SchemaGate backward = new SchemaGate(new CompatibilityRules(CompatibilityMode.BACKWARD_TRANSITIVE, Map.of()));

    assertThat(backward.check(Fixtures.catalog("command-removes-field")).violations()).isEmpty();
  }

  @Test
  void transitiveCheckCatchesIncompatibilityWithAnOlderVersion() throws IOException {
    GateReport report = Fixtures.check("transitive");

    // current reads v2 (field missing there, default used) but not v1 (long cannot become string).
    assertThat(report.violations()).singleElement().satisfies(violation -> {
      assertThat(violation.subject()).isEqualTo("test.events.MoneyDeposited");
      assertThat(violation.message()).startsWith("current vs v1 ").contains("TYPE_MISMATCH at field 'amount'");
    });
  }

  @Test
  void nonTransitiveModeOnlyComparesWithThePreviousVersion() {
    SchemaGate backward = new SchemaGate(new CompatibilityRules(CompatibilityMode.BACKWARD, Map.of()));

    assertThat(backward.check(Fixtures.catalog("transitive")).violations()).isEmpty();
  }

  @Test
  void gapInHistoryFails() throws IOException {
    GateReport report = Fixtures.check("history-gap");

    assertThat(report.violations()).singleElement().satisfies(violation -> {
      assertThat(violation.subject()).isEqualTo("test.events.AccountOpened");
      assertThat(violation.message()).contains("history is not consecutive: found versions [v1, v3]")
          .contains("v2 is missing");
    });
    assertThat(report.subjectLines()).singleElement().asString().endsWith("FAILED");
  }

  @Test
  void historyFileNamingAnotherRecordThanItsDirectoryFails() throws IOException {
    GateReport report = Fixtures.check("name-mismatch");

    assertThat(report.violations()).singleElement().satisfies(violation -> {
      assertThat(violation.subject()).isEqualTo("test.events.AccountOpened");
      assertThat(violation.message()).contains("defines test.events.AccountCreated")
          .contains("not the record its directory is named after (test.events.AccountOpened)");
    });
  }

  @Test
  void currentSchemaThatWasNeverReleasedPasses() throws IOException {
    GateReport report = Fixtures.check("never-released");

    assertThat(report.passed()).isTrue();
    assertThat(report.subjectLines())
        .containsExactly("test.events.AccountOpened: current (never released) BACKWARD_TRANSITIVE ok");
  }

  @Test
  void ruleThatMatchesNoSchemaFails() {
    SchemaGate gate = new SchemaGate(new CompatibilityRules(CompatibilityMode.BACKWARD_TRANSITIVE,
        Map.of("test.comands", CompatibilityMode.FULL_TRANSITIVE)));

    assertThat(gate.check(Fixtures.catalog("never-released")).violations()).singleElement()
        .satisfies(violation -> {
          assertThat(violation.subject()).isEqualTo("test.comands");
          assertThat(violation.message()).startsWith("compatibility rule matches no schema");
        });
  }
}
