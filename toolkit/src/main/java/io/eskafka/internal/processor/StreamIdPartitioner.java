package io.eskafka.internal.processor;

import io.eskafka.kafka.EventKey;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Sends an event to the partition of its stream: the partition its commands were read from,
 * computed from the stream id part of the event key only (never from the version).
 */
final class StreamIdPartitioner implements StreamPartitioner<byte[], byte[]> {

  @Override
  public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
    String streamId = EventKey.parse(new String(key, StandardCharsets.UTF_8)).streamId();
    return Optional.of(Set.of(EventKey.partitionOf(streamId, numPartitions)));
  }
}
