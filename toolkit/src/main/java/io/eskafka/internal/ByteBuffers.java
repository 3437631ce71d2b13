package io.eskafka.internal;

import java.nio.ByteBuffer;

/** Copies Avro {@code bytes} fields (ByteBuffers) out without disturbing their position. */
public final class ByteBuffers {

  private ByteBuffers() {}

  /**
   * The remaining bytes of a buffer as a new array; the buffer's position is left as it was
   * (generated Avro records hand out their own buffer, which other readers may share).
   *
   * @param buffer never {@code null}
   * @return a new array
   */
  public static byte[] toArray(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }
}
