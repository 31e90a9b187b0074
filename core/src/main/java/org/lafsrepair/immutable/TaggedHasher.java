package org.lafsrepair.immutable;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import org.lafsrepair.internal.crypto.Hashes;

/**
 * A reusable {@code H(tag; x)} for hot loops (block and segment hashes): one digest, the tag's
 * netstring fed from a cached array. Not thread-safe.
 */
final class TaggedHasher {
  private final byte[] prefix;
  private final MessageDigest md = Hashes.sha256();
  private final byte[] inner = new byte[Hashes.HASH_LENGTH];
  /** Whether the digest may hold input of an unfinished hash (digest() itself resets it). */
  private boolean dirty;

  TaggedHasher(String tag) {
    this.prefix = Hashes.netstring(tag);
  }

  /** Starts a hash; feed with {@link #update}, finish with {@link #finish}. */
  void start() {
    if (dirty) {
      md.reset();
    }
    dirty = true;
    md.update(prefix);
  }

  void update(byte[] b, int off, int len) {
    md.update(b, off, len);
  }

  void update(ByteBuffer b) {
    md.update(b);
  }

  void finish(byte[] out, int outOff) {
    try {
      md.digest(inner, 0, inner.length);
      md.update(inner);
      md.digest(out, outOff, Hashes.HASH_LENGTH);
      dirty = false;
    } catch (DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] finish() {
    byte[] out = new byte[Hashes.HASH_LENGTH];
    finish(out, 0);
    return out;
  }

  /** {@code H(tag; b[off, off+len))} into {@code out[outOff..]}. */
  void hash(byte[] b, int off, int len, byte[] out, int outOff) {
    start();
    md.update(b, off, len);
    finish(out, outOff);
  }
}
