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

  String eventsSource() {
    return aggregate + ".events-source";
  }

  String indexer() {
    return aggregate + ".stream-indexer";
  }

  /** The per-stream index; the event topic is its changelog. */
  String indexStore() {
    return aggregate + ".stream-index";
  }

  /** Commands held back until the index catches up with their stream's snapshot. */
  String parkedStore() {
    return aggregate + ".parked-commands";
  }

  /** Streams that were deleted: stream id to deletion time. */
  String erasedStore() {
    return aggregate + ".erased-streams";
  }

  /** Kafka Streams' name for a store's changelog topic. */
  String changelogTopic(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }
}
