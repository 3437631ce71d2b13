package io.eskafka.runtime;

import io.eskafka.examples.bank.BankAccount;
import io.eskafka.kafka.AggregateDefinition;
import io.eskafka.kafka.Deployment;
import io.eskafka.testing.DevSchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.util.LinkedHashMap;
import java.util.Map;

/** Bank deployments with unique aggregate names on the shared broker and registry. */
final class TestDeployments {

  private TestDeployments() {}

  /** The bank decider under an aggregate name of its own (so its topics are its own). */
  static Deployment bank(String aggregateName) {
    return Deployment.of("it-" + aggregateName, AggregateDefinition.of(aggregateName,
        BankAccount.decider()));
  }

  /** Settings for the shared broker and registry, any free HTTP port, plus extra settings. */
  static Settings settings(String... keyValues) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("bootstrap.servers", EmbeddedKafka.shared().bootstrapServers());
    flags.put("registry.url", DevSchemaRegistry.shared().url());
    flags.put("http.port", "0");
    flags.put("topics.partitions", "4");
    flags.put("startup.timeout.ms", "60000");
    flags.put("command.timeout.ms", "30000");
    for (int i = 0; i < keyValues.length; i += 2) {
      flags.put(keyValues[i], keyValues[i + 1]);
    }
    return SettingsLoader.load(null, Map.of(), flags);
  }
}
