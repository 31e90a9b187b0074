package org.lafsrepair.mutable;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One share's block of one segment and the salt its segment was encrypted under (MDMF: stored in
 * front of the block and hashed with it; SDMF: the IV from the prefix, not hashed).
 */
public final class SaltedBlock {
  private final byte[] salt;
  private final byte[] block;

  /** Copies both arrays. */
  public SaltedBlock(byte[] salt, byte[] block) {
    this(checkSalt(salt).clone(), Objects.requireNonNull(block, "block").clone(), null);
  }

  /** Wraps without copying: the caller hands over ownership. */
  static SaltedBlock owning(byte[] salt, byte[] block) {
    return new SaltedBlock(checkSalt(salt), Objects.requireNonNull(block, "block"), null);
  }

  private SaltedBlock(byte[] salt, byte[] block, Void owned) {
    this.salt = salt;
    this.block = block;
  }

  private static byte[] checkSalt(byte[] salt) {
    Objects.requireNonNull(salt, "salt");
    if (salt.length != SignedPrefix.SALT_LENGTH) {
      throw new IllegalArgumentException("salt must be 16 bytes, got " + salt.length);
    }
    return salt;
  }

  public byte[] salt() {
    return salt.clone();
  }

  /** A read-only view of the block. */
  public ByteBuffer block() {
    return ByteBuffer.wrap(block).asReadOnlyBuffer();
  }

  public int blockLength() {
    return block.length;
  }

  byte[] saltUnsafe() {
    return salt;
  }

  byte[] blockUnsafe() {
    return block;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SaltedBlock b && Arrays.equals(salt, b.salt) && Arrays.equals(block, b.block);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(salt) + Arrays.hashCode(block);
  }

  @Override
  public String toString() {
    return "SaltedBlock[" + block.length + " bytes]";
  }
}
