package io.eskafka.internal.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the per-stream index: {@code [4-byte length of the stream id][stream id, UTF-8][8-byte
 * version]}, all big-endian.
 *
 * <p>Why not the event key itself ({@code <streamId>@<19 digits>}): stream ids may contain {@code
 * @}, so a range over {@code acc@…} also covers stream {@code acc@5}'s keys. With the length in
 * front, the keys of one stream are exactly the keys that start with its length-and-id prefix (two
 * different ids of the same length differ inside the prefix), and within it RocksDB's byte order
 * is version order (versions are positive). A stream read is one seek and a contiguous scan.
 */
public final class StreamIndexKey {

  private StreamIndexKey() {}

  /**
   * The key of one event.
   *
   * @param streamId the stream, never {@code null}
   * @param version the version, ≥ 0 (0 and {@link Long#MAX_VALUE} serve as range bounds)
   * @return the key
   */
  public static Bytes of(String streamId, long version) {
    byte[] id = streamId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 8).putInt(id.length).put(id)
        .putLong(version).array());
  }

  /**
   * The version part of a key written by {@link #of}.
   *
   * @param key the key
   * @return its version
   */
  public static long version(Bytes key) {
    byte[] raw = key.get();
    return ByteBuffer.wrap(raw, raw.length - 8, 8).getLong();
  }

  /**
   * The stream id part of a key written by {@link #of}.
   *
   * @param key the key
   * @return its stream id
   */
  public static String streamId(Bytes key) {
    byte[] raw = key.get();
    int length = ByteBuffer.wrap(raw, 0, 4).getInt();
    return new String(raw, 4, length, StandardCharsets.UTF_8);
  }
}
