package org.lafsrepair.internal.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-128 in CTR mode with a zero initial counter block, as Tahoe uses it (tahoe-formats.md §1.5):
 * the counter is the whole 128-bit block, incremented big-endian, so byte {@code o} of the stream
 * sits in block {@code o/16} at position {@code o%16}. Encryption and decryption are the same
 * operation.
 *
 * <p>The static helpers are thread-safe. A {@link Stream} (or a {@link Cipher} from {@link
 * #cipherAt}) is stateful and belongs to one thread; use it on hot paths to avoid re-keying per
 * call.
 */
public final class AesCtr {
  /** Tahoe's AES keys are always 16 bytes. */
  public static final int KEY_LENGTH = 16;

  private static final int BLOCK = 16;
  private static final String TRANSFORMATION = "AES/CTR/NoPadding";

  private AesCtr() {}

  /**
   * A cipher in encrypt mode (CTR encryption is its own inverse) whose next output byte is
   * keystream byte {@code offset}.
   *
   * @throws IllegalArgumentException if the key is not 16 bytes or the offset is negative
   */
  public static Cipher cipherAt(byte[] key, long offset) {
    Cipher c;
    try {
      c = Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks AES/CTR/NoPadding", e);
    }
    position(c, key, offset);
    return c;
  }

  /** (Re-)keys {@code c} so that its next output byte is keystream byte {@code offset}. */
  private static void position(Cipher c, byte[] key, long offset) {
    checkKey(key);
    if (offset < 0) {
      throw new IllegalArgumentException("negative AES-CTR offset " + offset);
    }
    try {
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), counterBlock(offset / BLOCK));
      int skip = (int) (offset % BLOCK);
      if (skip > 0) {
        // Consumes the keystream bytes before the offset within the first block.
        c.update(new byte[skip]);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR rejected a 16-byte key", e);
    }
  }

  /** A keystream positioned at {@code offset}; see {@link Stream}. */
  public static Stream streamAt(byte[] key, long offset) {
    return new Stream(cipherAt(key, offset));
  }

  /** Returns {@code data} XORed with the keystream starting at byte {@code offset}. */
  public static byte[] apply(byte[] key, long offset, byte[] data) {
    Objects.requireNonNull(data, "data");
    byte[] out = new byte[data.length];
    streamAt(key, offset).apply(data, 0, data.length, out, 0);
    return out;
  }

  /** {@link #apply(byte[], long, byte[])} at offset 0. */
  public static byte[] apply(byte[] key, byte[] data) {
    return apply(key, 0, data);
  }

  private static IvParameterSpec counterBlock(long blockIndex) {
    byte[] iv = new byte[BLOCK];
    for (int i = 0; i < 8; i++) {
      iv[BLOCK - 1 - i] = (byte) (blockIndex >>> (8 * i));
    }
    return new IvParameterSpec(iv);
  }

  private static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("AES key must be 16 bytes, got " + key.length);
    }
  }

  /**
   * A positioned AES-CTR keystream: each call continues where the previous one stopped. Not
   * thread-safe.
   */
  public static final class Stream {
    private final Cipher cipher;

    private Stream(Cipher cipher) {
      this.cipher = cipher;
    }

    /** XORs {@code len} bytes of {@code in} into {@code out} (may be the same array). */
    public void apply(byte[] in, int inOff, int len, byte[] out, int outOff) {
      Objects.checkFromIndexSize(inOff, len, in.length);
      Objects.checkFromIndexSize(outOff, len, out.length);
      try {
        int n = cipher.update(in, inOff, len, out, outOff);
        if (n != len) {
          throw new IllegalStateException("AES-CTR produced " + n + " of " + len + " bytes");
        }
      } catch (ShortBufferException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Re-keys this stream and moves it to {@code offset}, reusing the cipher object (cheaper than
     * a new stream when every MDMF segment has its own key).
     *
     * @return this stream
     */
    public Stream reposition(byte[] key, long offset) {
      position(cipher, key, offset);
      return this;
    }

    /** XORs {@code data} in place. */
    public void applyInPlace(byte[] data) {
      apply(data, 0, data.length, data, 0);
    }

    /** XORs all remaining bytes of {@code in} into {@code out}; both positions advance. */
    public void apply(ByteBuffer in, ByteBuffer out) {
      int len = in.remaining();
      if (out.remaining() < len) {
        throw new IllegalArgumentException(
            "output has " + out.remaining() + " bytes left, need " + len);
      }
      try {
        int n = cipher.update(in, out);
        if (n != len) {
          throw new IllegalStateException("AES-CTR produced " + n + " of " + len + " bytes");
        }
      } catch (ShortBufferException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
