package org.lafsrepair.spi.authority;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * The part of a mutable share a storage server needs to judge a publish-authority message: the
 * signed prefix, seqnum, root hash, verification key, signature and EOF offset (tahoe-formats.md
 * §7.1, §7.2). Deliberately minimal and self-contained, because the SPI cannot use core's share
 * parser; every length is checked before use and hostile bytes give {@code null} from {@link
 * #parse}, never an exception.
 */
public final class SignedShareHeader {
  static final int MAX_FIELD = 4096;
  private static final int SDMF_HEADER = 107;
  private static final int MDMF_HEADER = 123;
  private static final BigInteger E = BigInteger.valueOf(65537);

  private final byte[] signedPrefix;
  private final long seqnum;
  private final byte[] rootHash;
  private final byte[] verificationKey;
  private final byte[] signature;
  private final long eof;

  private SignedShareHeader(
      byte[] signedPrefix, long seqnum, byte[] rootHash, byte[] verificationKey, byte[] signature,
      long eof) {
    this.signedPrefix = signedPrefix;
    this.seqnum = seqnum;
    this.rootHash = rootHash;
    this.verificationKey = verificationKey;
    this.signature = signature;
    this.eof = eof;
  }

  /** Ranged access to one share's data. */
  @FunctionalInterface
  public interface Reader {
    /** Up to {@code length} bytes at {@code offset}, shorter at the end of the data. */
    ByteBuffer read(long offset, int length) throws org.lafsrepair.spi.StorageException;
  }

  /** Parses from bytes in memory; null if they are not a well-formed mutable share header. */
  public static SignedShareHeader parse(ByteBuffer share) {
    ByteBuffer b = share.duplicate();
    try {
      return read((offset, length) -> {
        if (offset >= b.limit()) {
          return ByteBuffer.allocate(0);
        }
        ByteBuffer d = b.duplicate();
        d.position((int) offset);
        d.limit((int) Math.min(b.limit(), offset + length));
        return d.slice();
      });
    } catch (org.lafsrepair.spi.StorageException e) {
      throw new IllegalStateException("in-memory read failed", e);
    }
  }

  /** Reads and parses; null if the share is not a well-formed mutable share header. */
  public static SignedShareHeader read(Reader reader) throws org.lafsrepair.spi.StorageException {
    byte[] h = bytes(reader.read(0, MDMF_HEADER));
    if (h.length < 1 || (h[0] != 0 && h[0] != 1)) {
      return null;
    }
    boolean sdmf = h[0] == 0;
    int prefixLength = sdmf ? 75 : 59;
    if (h.length < (sdmf ? SDMF_HEADER : MDMF_HEADER)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(h);
    b.get();
    long seqnum = b.getLong();
    byte[] root = new byte[32];
    b.get(root);
    b.position(prefixLength);
    long vk;
    long vkEnd;
    long sig;
    long sigEnd;
    long eof;
    if (sdmf) {
      sig = Integer.toUnsignedLong(b.getInt());
      long chain = Integer.toUnsignedLong(b.getInt());
      long tree = Integer.toUnsignedLong(b.getInt());
      long data = Integer.toUnsignedLong(b.getInt());
      long enc = b.getLong();
      eof = b.getLong();
      vk = SDMF_HEADER;
      vkEnd = sig;
      sigEnd = chain;
      if (!ordered(vk, sig, chain, tree, data, enc, eof)) {
        return null;
      }
    } else {
      long enc = b.getLong();
      long chain = b.getLong();
      sig = b.getLong();
      vk = b.getLong();
      vkEnd = b.getLong();
      long data = b.getLong();
      long tree = b.getLong();
      eof = b.getLong();
      sigEnd = vk;
      if (enc != MDMF_HEADER || !ordered(enc, chain, sig, vk, vkEnd, data, tree, eof)) {
        return null;
      }
    }
    if (vkEnd - vk < 1 || vkEnd - vk > MAX_FIELD || sigEnd - sig < 1 || sigEnd - sig > MAX_FIELD) {
      return null;
    }
    byte[] key = bytes(reader.read(vk, (int) (vkEnd - vk)));
    byte[] signature = bytes(reader.read(sig, (int) (sigEnd - sig)));
    if (key.length != vkEnd - vk || signature.length != sigEnd - sig) {
      return null;
    }
    return new SignedShareHeader(Arrays.copyOf(h, prefixLength), seqnum, root, key, signature, eof);
  }

  private static boolean ordered(long... offsets) {
    for (int i = 0; i < offsets.length; i++) {
      if (offsets[i] < 0 || (i > 0 && offsets[i] < offsets[i - 1])) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /**
   * Whether the share's signature verifies under its own verification key, which must be an
   * RSA-2048 key with e = 65537 (Tahoe's only kind; also bounds the server's work).
   */
  public boolean signatureValid() {
    return verify(verificationKey, signedPrefix, signature);
  }

  /** RSASSA-PSS-SHA256, MGF1-SHA256, salt 32, under a DER SubjectPublicKeyInfo RSA-2048 key. */
  public static boolean verify(byte[] spki, byte[] message, byte[] signature) {
    Objects.requireNonNull(message, "message");
    if (spki == null || signature == null || signature.length != 256) {
      return false;
    }
    try {
      RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(spki));
      if (key.getModulus().bitLength() != 2048 || !key.getPublicExponent().equals(E)) {
        return false;
      }
      Signature s = Signature.getInstance("RSASSA-PSS");
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  public long seqnum() {
    return seqnum;
  }

  public byte[] rootHash() {
    return rootHash.clone();
  }

  public byte[] verificationKey() {
    return verificationKey.clone();
  }

  /** The share's length according to its offsets table. */
  public long eof() {
    return eof;
  }

  /** Same seqnum and root hash. */
  public boolean sameVersion(SignedShareHeader o) {
    return seqnum == o.seqnum && MessageDigest.isEqual(rootHash, o.rootHash);
  }

  /** Same verification key bytes. */
  public boolean sameKey(SignedShareHeader o) {
    return Arrays.equals(verificationKey, o.verificationKey);
  }
}
