package io.eskafka.cli;

import io.eskafka.examples.bank.BankAccount;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.kafka.EskafkaApp;

/** An app found by class name (not registered), whose topics a test creates wrongly first. */
public final class MismatchApp implements EskafkaApp {

  /** For {@link EskafkaApp#find}. */
  public MismatchApp() {}

  @Override
  public Deployment deployment() {
    return Deployment.of("mismatch", AggregateDefinition.of("mismatch-account",
        BankAccount.decider()));
  }
}
