package io.eskafka.internal.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the per-stream index: {@code [4-byte length of the stream id][stream id, UTF-8][8-byte
 * version]}, all big-endian.
 *
 * <p>The index also remembers, per stream, which commands appended events: {@code [4-byte length
 * of the stream id with the top bit set][stream id][command id, UTF-8]} ({@link #command}). The top
 * bit puts every command key after every event key (a stream id is never 2 GiB long), so no event
 * range ever meets one.
 *
 * <p>Why not the event key itself ({@code <streamId>@<19 digits>}): stream ids may contain {@code
 * @}, so a range over {@code acc@…} also covers stream {@code acc@5}'s keys. With the length in
 * front, the keys of one stream are exactly the keys that start with its length-and-id prefix (two
 * different ids of the same length differ inside the prefix), and within it RocksDB's byte order
 * is version order (versions are positive). A stream read is one seek and a contiguous scan.
 */
public final class StreamIndexKey {

  private static final int COMMAND_FLAG = 0x8000_0000;

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
   * The key remembering that a command appended events to a stream (its value: the version of the
   * command's last event, see {@link #commandValue}).
   *
   * @param streamId the stream, never {@code null}
   * @param commandId the command id, never {@code null}
   * @return the key
   */
  public static Bytes command(String streamId, String commandId) {
    byte[] id = streamId.getBytes(StandardCharsets.UTF_8);
    byte[] command = commandId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(4 + id.length + command.length)
        .putInt(id.length | COMMAND_FLAG).put(id).put(command).array());
  }

  /**
   * The first key after every command key of a stream: {@link #command}{@code (streamId, "")} to
   * this is exactly the stream's command keys (UTF-8 never holds the byte {@code 0xFF}).
   *
   * @param streamId the stream, never {@code null}
   * @return the bound, exclusive
   */
  public static Bytes commandsEnd(String streamId) {
    byte[] id = streamId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 1).putInt(id.length | COMMAND_FLAG)
        .put(id).put((byte) 0xFF).array());
  }

  /** Bounds of every command key of the index: from here (inclusive)... */
  public static final Bytes COMMANDS_FROM = Bytes.wrap(new byte[] {(byte) 0x80, 0, 0, 0});
  /** ...to here (inclusive; no key is this, the length of a stream id never reaches 0x7F000000). */
  public static final Bytes COMMANDS_TO = Bytes.wrap(new byte[] {(byte) 0xFF});

  /**
   * The command id part of a key written by {@link #command}.
   *
   * @param key the key
   * @return its command id
   */
  public static String commandId(Bytes key) {
    byte[] raw = key.get();
    int length = ByteBuffer.wrap(raw, 0, 4).getInt() & ~COMMAND_FLAG;
    return new String(raw, 4 + length, raw.length - 4 - length, StandardCharsets.UTF_8);
  }

  /**
   * The value of a command key: the version of the command's last event.
   *
   * @param lastVersion that version
   * @return 8 bytes, big-endian
   */
  public static byte[] commandValue(long lastVersion) {
    return ByteBuffer.allocate(Long.BYTES).putLong(lastVersion).array();
  }

  /**
   * Reads a value written by {@link #commandValue}.
   *
   * @param value the value, 8 bytes
   * @return the version of the command's last event
   */
  public static long lastVersion(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
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
