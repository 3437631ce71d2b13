package io.eskafka.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.examples.bank.BankAccount;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.events.MoneyDeposited;
import io.eskafka.examples.bank.events.MoneyWithdrawn;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.SchemaRegistration;
import io.eskafka.kafka.SchemaRegistration.IncompatibleSchemasException;
import io.eskafka.kafka.SchemaRegistration.Status;
import io.eskafka.kafka.SchemaRegistration.SubjectReport;
import io.eskafka.kafka.SchemaRegistration.SubjectSchema;
import io.eskafka.kafka.serde.AvroSerde;
import io.eskafka.kafka.serde.HttpSchemaRegistry;
import io.eskafka.testing.DevSchemaRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Registering an application's schemas ahead of deployment, against the real (Apicurio) registry:
 * a report per subject, nothing registered while one subject is incompatible, then an application
 * with auto-registration off writes with what was registered.
 */
class SchemaRegistrationIT {

  private final HttpSchemaRegistry registry =
      HttpSchemaRegistry.create(DevSchemaRegistry.shared().url());
  // A name of its own: the registry is shared by every test of this JVM.
  private final AggregateDefinition<BankAccountState> bank = AggregateDefinition.of(
      "reg-" + UUID.randomUUID().toString().substring(0, 8), BankAccount.decider());
  private final List<SubjectSchema> subjects = SchemaRegistration.subjectsOf(bank, "bank-app");

  @Test
  void listsEverySchemaTheApplicationWrites() {
    assertThat(subjects).extracting(SubjectSchema::subject).contains(
        bank.name() + ".commands-io.eskafka.examples.bank.commands.Deposit",
        bank.name() + ".events-io.eskafka.examples.bank.events.MoneyWithdrawn",
        "bank-app-" + bank.name() + ".snapshots-changelog-io.eskafka.examples.bank.state.BankAccountState",
        "bank-app-" + bank.name() + ".snapshots-changelog-io.eskafka.internal.avro.Snapshot",
        bank.name() + ".command-results-io.eskafka.internal.avro.CommandResultRecord");
    assertThat(subjects).hasSize(4 + 4 + 3);
  }

  @Test
  void registersNewSubjectsThenReportsThemRegistered() {
    List<SubjectReport> before = SchemaRegistration.check(registry, subjects);
    assertThat(before).extracting(SubjectReport::status).containsOnly(Status.NEW_SUBJECT);

    List<SubjectReport> registered = SchemaRegistration.register(registry, subjects);

    assertThat(registered).allSatisfy(report -> assertThat(report.id()).isNotNull());
    List<SubjectReport> after = SchemaRegistration.check(registry, subjects);
    assertThat(after).extracting(SubjectReport::status).containsOnly(Status.REGISTERED);
    assertThat(after).extracting(SubjectReport::id)
        .containsExactlyElementsOf(registered.stream().map(SubjectReport::id).toList());
    assertThat(SchemaRegistration.register(registry, subjects)).as("idempotent")
        .extracting(SubjectReport::id)
        .containsExactlyElementsOf(registered.stream().map(SubjectReport::id).toList());

    // Production mode: the application only looks schemas up, and finds them.
    AvroSerde lookupOnly = AvroSerde.builder(registry).autoRegister(false).build();
    byte[] bytes = lookupOnly.serialize(bank.topics().events(), new MoneyDeposited(5L, 5L));
    assertThat(lookupOnly.deserialize(bank.topics().events(), bytes))
        .isEqualTo(new MoneyDeposited(5L, 5L));
    assertThatThrownBy(() -> lookupOnly.serialize("unregistered-topic", new Deposit(1L)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unregistered-topic-io.eskafka.examples.bank.commands.Deposit");
  }

  @Test
  void aReleasedOlderVersionMakesTheCurrentOneANewVersion() throws Exception {
    String subject = bank.name() + ".events-io.eskafka.examples.bank.events.MoneyWithdrawn";
    Schema v1 = new Schema.Parser().parse(Path.of("..", "schemas", "history",
        "io.eskafka.examples.bank.events.MoneyWithdrawn", "v1.avsc").toFile());
    registry.register(subject, v1);

    SubjectReport report = report(SchemaRegistration.check(registry, subjects), subject);

    assertThat(report.status()).isEqualTo(Status.NEW_VERSION);
    assertThat(report.registeredVersions()).isEqualTo(1);
    assertThat(report.summary()).isEqualTo(subject + ": NEW_VERSION (after 1 version(s))");
  }

  @Test
  void anIncompatibleSubjectIsNamedWithAvrosReasonAndNothingIsRegistered() {
    String subject = bank.name() + ".events-io.eskafka.examples.bank.events.MoneyDeposited";
    registry.register(subject, new Schema.Parser().parse("""
        {"type": "record", "name": "MoneyDeposited", "namespace": "io.eskafka.examples.bank.events",
         "fields": [{"name": "amountCents", "type": "string"}]}
        """));

    SubjectReport report = report(SchemaRegistration.check(registry, subjects), subject);
    assertThat(report.status()).isEqualTo(Status.INCOMPATIBLE);
    assertThat(report.problem()).contains("BACKWARD_TRANSITIVE", "amountCents");

    assertThatThrownBy(() -> SchemaRegistration.register(registry, subjects))
        .isInstanceOf(IncompatibleSchemasException.class)
        .hasMessageContaining("nothing registered")
        .hasMessageContaining(subject);
    String other = bank.name() + ".commands-io.eskafka.examples.bank.commands.Deposit";
    assertThat(registry.versions(other)).as("no subject was registered").isEmpty();
  }

  private static SubjectReport report(List<SubjectReport> reports, String subject) {
    return reports.stream().filter(r -> r.subject().equals(subject)).findFirst().orElseThrow();
  }
}
