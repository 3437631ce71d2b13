package io.eskafka.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eskafka.examples.bank.BankAccount;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.EskafkaApp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding apps by registered name or class name, and what a deployment accepts. */
class EskafkaAppTest {

  private static final ClassLoader LOADER = EskafkaAppTest.class.getClassLoader();

  /** Not an app. */
  public static final class NotAnApp {}

  /** An app without a public no-argument constructor. */
  public static final class NeedsArgument implements EskafkaApp {
    /** @param name ignored */
    public NeedsArgument(String name) {}

    @Override
    public Deployment deployment() {
      throw new AssertionError("never instantiated");
    }
  }

  @Test
  void findsRegisteredAppsByNameAndOthersByClassName() {
    assertThat(EskafkaApp.installed(LOADER)).extracting(Deployment::name).containsExactly("bank");
    assertThat(EskafkaApp.find("bank", LOADER).aggregateNames()).containsExactly("bank-account");
    assertThat(EskafkaApp.find(MismatchApp.class.getName(), LOADER).name()).isEqualTo("mismatch");
  }

  @Test
  void explainsWhyANameOrClassCannotBeUsed() {
    assertThatThrownBy(() -> EskafkaApp.find("shop", LOADER))
        .hasMessage("unknown app 'shop'; installed: [bank] (or give the class name of an "
            + "io.eskafka.kafka.EskafkaApp on the class path)");
    assertThatThrownBy(() -> EskafkaApp.find(NotAnApp.class.getName(), LOADER))
        .hasMessage("class " + NotAnApp.class.getName() + " does not implement "
            + "io.eskafka.kafka.EskafkaApp");
    assertThatThrownBy(() -> EskafkaApp.find(NeedsArgument.class.getName(), LOADER))
        .hasMessageStartingWith("cannot instantiate " + NeedsArgument.class.getName()
            + " (it needs a public no-argument constructor)");
  }

  @Test
  void deploymentRefusesNoAggregatesDuplicatesAndBadNames() {
    AggregateDefinition<?> account = AggregateDefinition.of("acct", BankAccount.decider());
    assertThat(Deployment.of("app", account).aggregate("acct")).contains(account);
    assertThat(Deployment.of("app", account).aggregate("other")).isEmpty();
    assertThatThrownBy(() -> new Deployment("app", List.of()))
        .hasMessage("deployment app has no aggregate");
    assertThatThrownBy(() -> Deployment.of("app", account, account))
        .hasMessage("deployment app lists aggregate acct twice");
    assertThatThrownBy(() -> Deployment.of("my app", account))
        .hasMessage("deployment name must be non-empty without whitespace, got 'my app'");
  }
}
