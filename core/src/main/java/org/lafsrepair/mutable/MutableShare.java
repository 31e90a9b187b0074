package org.lafsrepair.mutable;

import org.lafsrepair.cap.MutableFormat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.StorageException;

/**
 * Everything in a mutable share except the blocks: signed prefix, offsets, verification key,
 * signature, share hash chain, block hash tree, encrypted private key (and, MDMF, whether the
 * reserved gap is zero). Parsed from untrusted bytes with every length checked against the signed
 * parameters before it is used; written in exactly the layout Tahoe's publisher produces. Blocks
 * are read on demand with {@link #readSegment}. Immutable and thread-safe.
 */
public final class MutableShare {
  /** Bounds for the variable-length fields (Tahoe: 294, 256 and about 1217 bytes). */
  static final int MAX_VERIFICATION_KEY = 4096;
  static final int MAX_SIGNATURE = 4096;
  static final int MAX_ENC_PRIVKEY = 8192;
  /** Largest MDMF gap we tolerate between key and share data (Tahoe's is about 141 bytes). */
  static final int MAX_GAP = 65536;
  static final int CHAIN_ENTRY = 2 + SignedPrefix.HASH_LENGTH;

  private final SignedPrefix prefix;
  private final MutableShareOffsets offsets;
  private final byte[] verificationKey;
  private final byte[] signature;
  private final SortedMap<Integer, byte[]> shareHashChain;
  private final List<byte[]> blockHashTree;
  private final byte[] encPrivkey;
  private final boolean gapZero;

  private MutableShare(
      SignedPrefix prefix, MutableShareOffsets offsets, byte[] verificationKey, byte[] signature,
      SortedMap<Integer, byte[]> shareHashChain, List<byte[]> blockHashTree, byte[] encPrivkey,
      boolean gapZero) {
    this.prefix = prefix;
    this.offsets = offsets;
    this.verificationKey = verificationKey;
    this.signature = signature;
    this.shareHashChain = shareHashChain;
    this.blockHashTree = blockHashTree;
    this.encPrivkey = encPrivkey;
    this.gapZero = gapZero;
  }

  /**
   * Assembles a share's metadata in Tahoe's canonical layout (what the publisher writes).
   *
   * @param shareHashChain node index → hash, the siblings on the path of this share's leaf
   * @param blockHashTree all nodes of the block hash tree in breadth-first order
   * @throws IllegalArgumentException if a field has the wrong size for {@code prefix}
   */
  public static MutableShare of(
      SignedPrefix prefix, byte[] verificationKey, byte[] signature,
      Map<Integer, byte[]> shareHashChain, List<byte[]> blockHashTree, byte[] encPrivkey) {
    Objects.requireNonNull(prefix, "prefix");
    byte[] vk = checkLength(verificationKey, 1, MAX_VERIFICATION_KEY, "verification key");
    byte[] sig = checkLength(signature, 1, MAX_SIGNATURE, "signature");
    byte[] enc = checkLength(encPrivkey, 0, MAX_ENC_PRIVKEY, "encrypted private key");
    if (shareHashChain.size() != chainEntries(prefix.n())) {
      throw new IllegalArgumentException("share hash chain needs " + chainEntries(prefix.n())
          + " entries for N=" + prefix.n() + ", got " + shareHashChain.size());
    }
    SortedMap<Integer, byte[]> chain = new TreeMap<>();
    for (Map.Entry<Integer, byte[]> e : shareHashChain.entrySet()) {
      if (e.getKey() < 0 || e.getKey() > 0xffff) {
        throw new IllegalArgumentException("chain node index out of range: " + e.getKey());
      }
      chain.put(e.getKey(), checkLength(e.getValue(), 32, 32, "chain hash"));
    }
    if (blockHashTree.size() != treeNodes(prefix.numSegments())) {
      throw new IllegalArgumentException("block hash tree needs "
          + treeNodes(prefix.numSegments()) + " nodes, got " + blockHashTree.size());
    }
    List<byte[]> tree = new ArrayList<>(blockHashTree.size());
    for (byte[] h : blockHashTree) {
      tree.add(checkLength(h, 32, 32, "tree hash"));
    }
    MutableShareOffsets offsets = MutableShareOffsets.canonical(prefix, vk.length, sig.length,
        chain.size() * CHAIN_ENTRY, tree.size() * SignedPrefix.HASH_LENGTH, enc.length);
    return new MutableShare(prefix, offsets, vk, sig, Collections.unmodifiableSortedMap(chain),
        Collections.unmodifiableList(tree), enc, true);
  }

  private static byte[] checkLength(byte[] b, int min, int max, String what) {
    Objects.requireNonNull(b, what);
    if (b.length < min || b.length > max) {
      throw new IllegalArgumentException(what + " length " + b.length + " not in " + min + ".."
          + max);
    }
    return b.clone();
  }

  /** Entries in a mutable share hash chain for N shares: log2 of N rounded up to a power of 2. */
  public static int chainEntries(int n) {
    return Integer.numberOfTrailingZeros(leafCapacity(n));
  }

  /** Nodes in a complete tree over {@code leaves} leaves (2P−1, P = next power of two, ≥ 1). */
  public static int treeNodes(int leaves) {
    return 2 * leafCapacity(leaves) - 1;
  }

  static int leafCapacity(int leaves) {
    return leaves <= 1 ? 1 : Integer.highestOneBit(leaves - 1) << 1;
  }

  // ---------------------------------------------------------------------------------- parsing

  /**
   * Reads and parses a share's metadata (a few KiB, in at most three reads).
   *
   * @throws CorruptMutableShareException if the share is malformed or truncated
   * @throws StorageException if reading fails
   */
  public static MutableShare read(ShareSource source)
      throws CorruptMutableShareException, StorageException {
    byte[] header = readFully(source, 0, MutableShareOffsets.MDMF_HEADER_LENGTH, false);
    SignedPrefix prefix = SignedPrefix.parse(header);
    int headerLength = MutableShareOffsets.headerLength(prefix.format());
    if (header.length < headerLength) {
      throw new CorruptMutableShareException(ShareRegion.TRUNCATED,
          "share of " + header.length + " bytes is shorter than its header");
    }
    ByteBuffer b = ByteBuffer.wrap(header, prefix.length(), headerLength - prefix.length());
    return prefix.format() == MutableFormat.SDMF
        ? readSdmf(source, prefix, b)
        : readMdmf(source, prefix, b);
  }

  /** Parses a share held in memory. */
  public static MutableShare parse(byte[] share) throws CorruptMutableShareException {
    try {
      return read(ShareSource.of(share));
    } catch (StorageException e) {
      throw new IllegalStateException("in-memory source failed", e);
    }
  }

  private static MutableShare readSdmf(ShareSource source, SignedPrefix prefix, ByteBuffer b)
      throws CorruptMutableShareException, StorageException {
    long sig = Integer.toUnsignedLong(b.getInt());
    long chain = Integer.toUnsignedLong(b.getInt());
    long tree = Integer.toUnsignedLong(b.getInt());
    long data = Integer.toUnsignedLong(b.getInt());
    long enc = b.getLong();
    long eof = b.getLong();
    long vk = MutableShareOffsets.SDMF_HEADER_LENGTH;
    MutableShareOffsets o = new MutableShareOffsets(vk, sig, sig, chain, tree, data, enc, eof);
    checkRange(vk, sig, 1, MAX_VERIFICATION_KEY, "verification key");
    checkRange(sig, chain, 1, MAX_SIGNATURE, "signature");
    checkExact(chain, tree, (long) chainEntries(prefix.n()) * CHAIN_ENTRY, "share hash chain");
    checkExact(tree, data, treeNodes(prefix.numSegments()) * 32L, "block hash tree");
    checkExact(data, enc, prefix.shareDataLength(), "share data");
    checkRange(enc, eof, 0, MAX_ENC_PRIVKEY, "encrypted private key");
    byte[] meta = readFully(source, vk, (int) (data - vk), true);
    byte[] encPrivkey = readFully(source, enc, (int) (eof - enc), true);
    return build(prefix, o, meta, vk, encPrivkey, true);
  }

  private static MutableShare readMdmf(ShareSource source, SignedPrefix prefix, ByteBuffer b)
      throws CorruptMutableShareException, StorageException {
    long enc = b.getLong();
    long chain = b.getLong();
    long sig = b.getLong();
    long vk = b.getLong();
    long vkEnd = b.getLong();
    long data = b.getLong();
    long tree = b.getLong();
    long eof = b.getLong();
    MutableShareOffsets o = new MutableShareOffsets(vk, vkEnd, sig, chain, tree, data, enc, eof);
    if (enc != MutableShareOffsets.MDMF_HEADER_LENGTH) {
      throw new CorruptMutableShareException(ShareRegion.HEADER,
          "MDMF enc_privkey offset " + enc + " is not 123");
    }
    checkRange(enc, chain, 0, MAX_ENC_PRIVKEY, "encrypted private key");
    checkExact(chain, sig, (long) chainEntries(prefix.n()) * CHAIN_ENTRY, "share hash chain");
    checkRange(sig, vk, 1, MAX_SIGNATURE, "signature");
    checkRange(vk, vkEnd, 1, MAX_VERIFICATION_KEY, "verification key");
    checkRange(vkEnd, data, 0, MAX_GAP, "reserved gap");
    checkExact(data, tree, prefix.shareDataLength(), "share data");
    checkExact(tree, eof, treeNodes(prefix.numSegments()) * 32L, "block hash tree");
    byte[] meta = readFully(source, enc, (int) (data - enc), true);
    byte[] treeBytes = readFully(source, tree, (int) (eof - tree), true);
    return build(prefix, o, meta, enc, treeBytes, false);
  }

  /**
   * Splits the metadata bytes (read from {@code base}) into fields. For SDMF {@code extra} is the
   * encrypted private key; for MDMF it is the block hash tree.
   */
  private static MutableShare build(
      SignedPrefix prefix, MutableShareOffsets o, byte[] meta, long base, byte[] extra,
      boolean sdmf) throws CorruptMutableShareException {
    byte[] vk = slice(meta, o.verificationKey() - base, o.verificationKeyEnd() - base);
    byte[] sig = slice(meta, o.signature() - base, o.signature() - base + signatureLength(o));
    byte[] chainBytes = slice(meta, o.shareHashChain() - base,
        o.shareHashChain() - base + (long) chainEntries(prefix.n()) * CHAIN_ENTRY);
    byte[] treeBytes;
    byte[] enc;
    boolean gapZero = true;
    if (sdmf) {
      treeBytes = slice(meta, o.blockHashTree() - base, o.shareData() - base);
      enc = extra;
    } else {
      treeBytes = extra;
      enc = slice(meta, o.encPrivkey() - base, o.shareHashChain() - base);
      for (long i = o.verificationKeyEnd() - base; i < o.shareData() - base; i++) {
        gapZero &= meta[(int) i] == 0;
      }
    }
    SortedMap<Integer, byte[]> chain = new TreeMap<>();
    ByteBuffer cb = ByteBuffer.wrap(chainBytes);
    while (cb.hasRemaining()) {
      int node = Short.toUnsignedInt(cb.getShort());
      byte[] h = new byte[32];
      cb.get(h);
      if (chain.put(node, h) != null) {
        throw new CorruptMutableShareException(ShareRegion.SHARE_HASH_CHAIN,
            "node " + node + " appears twice");
      }
    }
    List<byte[]> tree = new ArrayList<>(treeBytes.length / 32);
    for (int i = 0; i < treeBytes.length; i += 32) {
      tree.add(slice(treeBytes, i, i + 32));
    }
    return new MutableShare(prefix, o, vk, sig, Collections.unmodifiableSortedMap(chain),
        Collections.unmodifiableList(tree), enc, gapZero);
  }

  private static long signatureLength(MutableShareOffsets o) {
    // SDMF: the signature runs to the chain; MDMF: to the verification key.
    return o.verificationKeyEnd() == o.signature()
        ? o.shareHashChain() - o.signature()
        : o.verificationKey() - o.signature();
  }

  private static byte[] slice(byte[] b, long from, long to) {
    byte[] out = new byte[(int) (to - from)];
    System.arraycopy(b, (int) from, out, 0, out.length);
    return out;
  }

  private static void checkRange(long start, long end, long min, long max, String what)
      throws CorruptMutableShareException {
    long len = end - start;
    if (start < 0 || end < start || len < min || len > max) {
      throw new CorruptMutableShareException(ShareRegion.HEADER,
          what + " region [" + Long.toUnsignedString(start) + ", " + Long.toUnsignedString(end)
              + ") must be " + min + ".." + max + " bytes");
    }
  }

  private static void checkExact(long start, long end, long expected, String what)
      throws CorruptMutableShareException {
    if (start < 0 || end < start || end - start != expected) {
      throw new CorruptMutableShareException(ShareRegion.HEADER,
          what + " region [" + Long.toUnsignedString(start) + ", " + Long.toUnsignedString(end)
              + ") must be " + expected + " bytes");
    }
  }

  private static byte[] readFully(ShareSource source, long offset, int length, boolean exact)
      throws CorruptMutableShareException, StorageException {
    if (length == 0) {
      return new byte[0];
    }
    ByteBuffer got = source.read(offset, length);
    if (got.remaining() > length) {
      throw new CorruptMutableShareException(ShareRegion.TRUNCATED,
          "server returned " + got.remaining() + " bytes for a read of " + length);
    }
    if (exact && got.remaining() < length) {
      throw new CorruptMutableShareException(ShareRegion.TRUNCATED,
          "share ends " + (length - got.remaining()) + " bytes early at offset "
              + (offset + got.remaining()));
    }
    byte[] out = new byte[got.remaining()];
    got.get(out);
    return out;
  }

  /**
   * Reads segment {@code i}'s block (and MDMF salt) from this share.
   *
   * @throws CorruptMutableShareException TRUNCATED if the share ends early
   */
  public SaltedBlock readSegment(ShareSource source, int i)
      throws CorruptMutableShareException, StorageException {
    int blockLength = prefix.blockLength(i);
    long at = offsets.shareData() + prefix.segmentOffset(i);
    if (prefix.format() == MutableFormat.SDMF) {
      return SaltedBlock.owning(prefix.iv().orElseThrow(), readFully(source, at, blockLength, true));
    }
    byte[] both = readFully(source, at, SignedPrefix.SALT_LENGTH + blockLength, true);
    return SaltedBlock.owning(slice(both, 0, 16), slice(both, 16, both.length));
  }

  // ---------------------------------------------------------------------------------- writing

  /** The complete share: header, metadata and {@code blocks} (one per segment) in Tahoe's layout. */
  public byte[] toBytes(List<SaltedBlock> blocks) {
    int segments = prefix.numSegments();
    if (blocks.size() != segments) {
      throw new IllegalArgumentException(segments + " segments but " + blocks.size() + " blocks");
    }
    if (offsets.eof() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("share of " + offsets.eof() + " bytes is too large to "
          + "assemble in memory");
    }
    ByteBuffer out = ByteBuffer.allocate((int) offsets.eof());
    out.put(prefix.toBytes());
    byte[] chainBytes = chainBytes();
    byte[] treeBytes = new byte[blockHashTree.size() * 32];
    for (int i = 0; i < blockHashTree.size(); i++) {
      System.arraycopy(blockHashTree.get(i), 0, treeBytes, i * 32, 32);
    }
    if (prefix.format() == MutableFormat.SDMF) {
      out.putInt((int) offsets.signature()).putInt((int) offsets.shareHashChain())
          .putInt((int) offsets.blockHashTree()).putInt((int) offsets.shareData())
          .putLong(offsets.encPrivkey()).putLong(offsets.eof());
      out.put(verificationKey).put(signature).put(chainBytes).put(treeBytes);
    } else {
      out.putLong(offsets.encPrivkey()).putLong(offsets.shareHashChain())
          .putLong(offsets.signature()).putLong(offsets.verificationKey())
          .putLong(offsets.verificationKeyEnd()).putLong(offsets.shareData())
          .putLong(offsets.blockHashTree()).putLong(offsets.eof());
      out.put(encPrivkey).put(chainBytes).put(signature).put(verificationKey);
      out.position((int) offsets.shareData());
    }
    for (int i = 0; i < segments; i++) {
      SaltedBlock sb = blocks.get(i);
      if (sb.blockLength() != prefix.blockLength(i)) {
        throw new IllegalArgumentException("block " + i + " has " + sb.blockLength()
            + " bytes, expected " + prefix.blockLength(i));
      }
      if (prefix.format() == MutableFormat.MDMF) {
        out.put(sb.saltUnsafe());
      }
      out.put(sb.blockUnsafe());
    }
    if (prefix.format() == MutableFormat.SDMF) {
      out.put(encPrivkey);
    } else {
      out.put(treeBytes);
    }
    if (out.hasRemaining()) {
      throw new IllegalStateException("layout left " + out.remaining() + " bytes unwritten");
    }
    return out.array();
  }

  private byte[] chainBytes() {
    ByteBuffer b = ByteBuffer.allocate(shareHashChain.size() * CHAIN_ENTRY);
    for (Map.Entry<Integer, byte[]> e : shareHashChain.entrySet()) {
      b.putShort((short) (int) e.getKey()).put(e.getValue());
    }
    return b.array();
  }

  // -------------------------------------------------------------------------------- accessors

  public SignedPrefix prefix() {
    return prefix;
  }

  public MutableShareOffsets offsets() {
    return offsets;
  }

  /** DER SubjectPublicKeyInfo as stored. */
  public byte[] verificationKey() {
    return verificationKey.clone();
  }

  public byte[] signature() {
    return signature.clone();
  }

  /** Node index → hash, ascending; copies of the hashes. */
  public SortedMap<Integer, byte[]> shareHashChain() {
    SortedMap<Integer, byte[]> out = new TreeMap<>();
    shareHashChain.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  /** Block hash tree nodes, breadth-first; copies. */
  public List<byte[]> blockHashTree() {
    List<byte[]> out = new ArrayList<>(blockHashTree.size());
    blockHashTree.forEach(h -> out.add(h.clone()));
    return out;
  }

  public byte[] encPrivkey() {
    return encPrivkey.clone();
  }

  /** MDMF: whether the reserved gap before the share data is all zeros (always true for SDMF). */
  public boolean reservedGapZero() {
    return gapZero;
  }

  byte[] verificationKeyUnsafe() {
    return verificationKey;
  }

  byte[] signatureUnsafe() {
    return signature;
  }

  byte[] encPrivkeyUnsafe() {
    return encPrivkey;
  }

  SortedMap<Integer, byte[]> shareHashChainUnsafe() {
    return shareHashChain;
  }

  List<byte[]> blockHashTreeUnsafe() {
    return blockHashTree;
  }
}
