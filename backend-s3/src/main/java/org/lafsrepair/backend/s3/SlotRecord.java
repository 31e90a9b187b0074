package org.lafsrepair.backend.s3;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.WriteEnabler;

/**
 * The record that makes a storage index a mutable slot: which server accepted the slot's write
 * enabler, and a SHA-256 of that enabler (not the enabler itself, so read-only access to the
 * bucket does not grant write authority). 68 bytes:
 *
 * <pre>
 *  0  16  magic "lafs-s3 slot v1\n"
 * 16  20  node id that accepted the write enabler
 * 36  32  SHA-256("lafs-repair s3 write-enabler v1\n" || write enabler), or all zeros for a
 *          slot created through publish authority and not yet bound by its writer
 * </pre>
 */
final class SlotRecord {
  static final int LENGTH = 68;
  private static final byte[] MAGIC = "lafs-s3 slot v1\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WE_TAG =
      "lafs-repair s3 write-enabler v1\n".getBytes(StandardCharsets.US_ASCII);

  private final ServerId acceptedBy;
  private final byte[] enablerHash;

  private SlotRecord(ServerId acceptedBy, byte[] enablerHash) {
    this.acceptedBy = acceptedBy;
    this.enablerHash = enablerHash;
  }

  static SlotRecord create(ServerId acceptedBy, WriteEnabler enabler) {
    return new SlotRecord(acceptedBy, hash(enabler));
  }

  /**
   * A slot created through publish authority: bound to no enabler (the hash field is all zeros,
   * which no SHA-256 output is in practice), so no test-and-write passes until the writer rebinds.
   */
  static SlotRecord unbound(ServerId createdBy) {
    return new SlotRecord(createdBy, new byte[32]);
  }

  boolean isUnbound() {
    return MessageDigest.isEqual(enablerHash, new byte[32]);
  }

  static SlotRecord parse(byte[] bytes, String where) throws CorruptContainerException {
    if (bytes.length != LENGTH) {
      throw new CorruptContainerException(
          where + ": slot record is " + bytes.length + " bytes, expected " + LENGTH);
    }
    if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptContainerException(where + ": slot record has a bad magic");
    }
    ServerId id = ServerId.of(Arrays.copyOfRange(bytes, 16, 36));
    return new SlotRecord(id, Arrays.copyOfRange(bytes, 36, 68));
  }

  byte[] toBytes() {
    byte[] out = new byte[LENGTH];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    System.arraycopy(acceptedBy.toBytes(), 0, out, 16, ServerId.LENGTH);
    System.arraycopy(enablerHash, 0, out, 36, 32);
    return out;
  }

  ServerId acceptedBy() {
    return acceptedBy;
  }

  /** Constant time in the enabler's bytes. */
  boolean accepts(WriteEnabler enabler) {
    boolean match = MessageDigest.isEqual(enablerHash, hash(enabler));
    return match & !isUnbound();
  }

  private static byte[] hash(WriteEnabler enabler) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(WE_TAG);
      d.update(enabler.toBytes());
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
