package io.eskafka.internal.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Event ids derived from the command that produced them, so that a command handled again yields
 * the same ids: the name-based (version 3) UUID of {@code commandId#index}, exactly what
 * {@link UUID#nameUUIDFromBytes} returns, but with one MD5 instance kept instead of one looked up
 * per event (that lookup was a tenth of the decider step's time). Not thread-safe: one per
 * processor, which runs on one stream thread at a time.
 */
final class EventIds {

  private final MessageDigest md5;

  EventIds() {
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }

  /**
   * The id of a command's event.
   *
   * @param commandId the command's id, not {@code null}
   * @param index the event's position among the command's events, from 0
   * @return the id in UUID text form
   */
  String of(String commandId, int index) {
    byte[] hash = md5.digest((commandId + "#" + index).getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x30); // version 3
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
    ByteBuffer bits = ByteBuffer.wrap(hash);
    return new UUID(bits.getLong(), bits.getLong()).toString();
  }
}
