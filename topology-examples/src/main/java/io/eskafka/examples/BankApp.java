package io.eskafka.examples;

import io.eskafka.examples.bank.BankAccount;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.EskafkaApp;

/**
 * The bank example as a deployable application (here, not in the {@code bank} package, which is
 * pure domain code): {@code eskafka run bank} runs the {@value
 * #AGGREGATE} aggregate. Registered in {@code META-INF/services/io.eskafka.kafka.EskafkaApp}.
 */
public final class BankApp implements EskafkaApp {

  /** The application's name on the command line. */
  public static final String NAME = "bank";
  /** The aggregate type name, which names its topics. */
  public static final String AGGREGATE = "bank-account";

  /** Instantiated by {@link java.util.ServiceLoader}. */
  public BankApp() {}

  @Override
  public Deployment deployment() {
    return Deployment.of(NAME, AggregateDefinition.of(AGGREGATE, BankAccount.decider()));
  }
}
