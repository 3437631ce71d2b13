package io.eskafka.internal.processor;

import io.eskafka.kafka.AggregateTopics;

/**
 * Names of one aggregate's topology nodes and stores, all prefixed with the aggregate name so that
 * several aggregates can share one application.
 */
record AggregateNodes(String aggregate, AggregateTopics topics) {

  static AggregateNodes of(String aggregate, AggregateTopics topics) {
    return new AggregateNodes(aggregate, topics);
  }

  String source() {
    return aggregate + ".commands-source";
  }

  String handler() {
    return aggregate + ".command-handler";
  }

  String eventsSink() {
    return aggregate + ".events-sink";
  }

  String resultsSink() {
    return aggregate + ".results-sink";
  }

  String dlqSink() {
    return aggregate + ".dlq-sink";
  }

  String snapshotStore() {
    return aggregate + ".snapshots";
  }

  String commandIdStore() {
    return aggregate + ".command-ids";
  }

  /** Kafka Streams' name for a store's changelog topic. */
  String changelogTopic(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }
}
