package org.lafsrepair.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.internal.crypto.AesCtr;
import org.lafsrepair.internal.crypto.ChkKeys;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.hashtree.HashTree;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;

/**
 * Encodes a plaintext into a CHK file exactly as Tahoe-LAFS's uploader does (tahoe-formats.md §4):
 * convergent key, one AES-CTR stream, segments, zfec, block/crypttext/share hash trees, UEB, share
 * layout v1 (v2 above 4 GiB). Files of 55 bytes or fewer become literal caps and store nothing.
 *
 * <p>Two passes over a re-readable {@link PlaintextSource}: {@link #prepare} hashes the plaintext
 * into the convergent key (and so the storage index and the exact share length, which a caller
 * needs to allocate space), then {@link Prepared#writeShares} encrypts, encodes and writes every
 * byte of the requested shares. Memory is O(segment size × N) plus 32 bytes per segment per share
 * for the block hashes; never O(file).
 *
 * <p>Immutable and thread-safe; a {@link Prepared} is for one thread.
 */
public final class ChkEncoder {
  /** Files this size or smaller become {@code URI:LIT:} caps. */
  public static final int LITERAL_MAX = 55;

  private static final int READ_CHUNK = 1 << 16;

  private final int k;
  private final int n;
  private final int maxSegmentSize;
  private final byte[] convergenceSecret;

  private ChkEncoder(int k, int n, int maxSegmentSize, byte[] convergenceSecret) {
    this.k = k;
    this.n = n;
    this.maxSegmentSize = maxSegmentSize;
    this.convergenceSecret = convergenceSecret;
  }

  /**
   * An encoder with convergent encryption.
   *
   * @param k shares needed (1..N)
   * @param n shares made (k..256)
   * @param maxSegmentSize Tahoe's {@code max_segment_size} (131072 before 1.19, 1 MiB since)
   * @param convergenceSecret the client's convergence secret (32 bytes for a real client)
   */
  public static ChkEncoder convergent(int k, int n, int maxSegmentSize, byte[] convergenceSecret) {
    Objects.requireNonNull(convergenceSecret, "convergenceSecret");
    if (k < 1 || k > n || n > 256) {
      throw new IllegalArgumentException("need 1 <= k <= N <= 256, got k=" + k + " N=" + n);
    }
    if (maxSegmentSize < 1 || maxSegmentSize > ChkGeometry.MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("max segment size out of range: " + maxSegmentSize);
    }
    return new ChkEncoder(k, n, maxSegmentSize, convergenceSecret.clone());
  }

  /**
   * Pass one: reads the plaintext once to derive the convergent key. For literal files the
   * plaintext is kept (at most 55 bytes).
   *
   * @throws IOException if reading fails or the source yields other than {@code size()} bytes
   */
  public Prepared prepare(PlaintextSource source) throws IOException {
    long size = source.size();
    if (size < 0) {
      throw new IOException("negative plaintext size " + size);
    }
    if (size <= LITERAL_MAX) {
      byte[] data;
      try (InputStream in = source.open()) {
        data = in.readNBytes((int) size + 1);
      }
      if (data.length != size) {
        throw new IOException("plaintext has " + data.length + " bytes, expected " + size);
      }
      return new Prepared(null, null, data);
    }
    ChkGeometry g = ChkGeometry.forUpload(k, n, size, maxSegmentSize);
    MessageDigest d = ChkKeys.convergentKeyDigest(convergenceSecret, k, n, g.segmentSize());
    byte[] buf = new byte[READ_CHUNK];
    long total = 0;
    try (InputStream in = source.open()) {
      for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
        d.update(buf, 0, r);
        total += r;
        if (total > size) {
          break;
        }
      }
    }
    if (total != size) {
      throw new IOException("plaintext has " + (total > size ? "more" : total) + " bytes, expected " + size);
    }
    return new Prepared(g, ChkKeys.finishConvergentKey(d), null);
  }

  /** Both passes, writing all N shares into {@code sinks} (one per share number). */
  public ChkEncoding encode(PlaintextSource source, Map<ShareNumber, ShareSink> sinks)
      throws IOException, StorageException {
    return prepare(source).writeShares(source, sinks);
  }

  /** The result of pass one: key, storage index and share length, ready to write shares. */
  public final class Prepared {
    private final ChkGeometry geometry;
    private final byte[] key;
    private final byte[] literal;

    private Prepared(ChkGeometry geometry, byte[] key, byte[] literal) {
      this.geometry = geometry;
      this.key = key;
      this.literal = literal;
    }

    /** True if the file fits in a literal cap: nothing is stored, no shares are written. */
    public boolean isLiteral() {
      return literal != null;
    }

    /** The encoding geometry. */
    public ChkGeometry geometry() {
      requireChk();
      return geometry;
    }

    /** The 16-byte AES key (the read cap's key). */
    public byte[] key() {
      requireChk();
      return key.clone();
    }

    public StorageIndex storageIndex() {
      requireChk();
      return ChkKeys.storageIndex(key);
    }

    /** The layout every share will have. */
    public ShareLayout layout() {
      requireChk();
      return ShareLayout.forUpload(geometry);
    }

    /**
     * The exact length of each share's data: what to allocate on a server ({@code
     * allocated_size}). The UEB length does not depend on the hashes, so it is known now.
     */
    public long shareLength() {
      requireChk();
      byte[] zero = new byte[Hashes.HASH_LENGTH];
      return layout().totalLength(UriExtension.forFile(geometry, zero, zero, zero).length());
    }

    private void requireChk() {
      if (literal != null) {
        throw new IllegalStateException("a literal file has no shares");
      }
    }

    /**
     * Pass two: encrypts and encodes the plaintext and writes the complete bytes of the shares
     * in {@code sinks} (usually all N; any subset is allowed, since every share is computed for
     * the share hash tree). Each sink receives every byte of its share exactly once, blocks
     * first; buffers passed to a sink are reused after {@code write} returns.
     *
     * <p>On an exception the sinks hold partial shares: abort them.
     *
     * @throws IOException if the source fails or yields a different length than in pass one
     */
    public ChkEncoding writeShares(PlaintextSource source, Map<ShareNumber, ShareSink> sinks)
        throws IOException, StorageException {
      if (literal != null) {
        if (!sinks.isEmpty()) {
          throw new IllegalArgumentException("a literal file has no shares to write");
        }
        return ChkEncoding.literal(literal);
      }
      TreeMap<Integer, ShareSink> out = new TreeMap<>();
      for (Map.Entry<ShareNumber, ShareSink> e : sinks.entrySet()) {
        if (e.getKey().value() >= n) {
          throw new IllegalArgumentException("share " + e.getKey() + " >= N=" + n);
        }
        out.put(e.getKey().value(), Objects.requireNonNull(e.getValue()));
      }
      if (source.size() != geometry.size()) {
        throw new IOException("plaintext size changed between passes");
      }
      try (InputStream in = source.open()) {
        return encodeShares(in, out);
      }
    }

    private ChkEncoding encodeShares(InputStream in, TreeMap<Integer, ShareSink> sinks)
        throws IOException, StorageException {
      ChkGeometry g = geometry;
      ShareLayout layout = ShareLayout.forUpload(g);
      int segs = g.numSegments();
      int bs = g.blockSize();
      byte[] plain = new byte[g.segmentSize()];
      byte[][] blocks = new byte[n][bs];
      byte[][] primary = Arrays.copyOf(blocks, k);
      byte[][] check = Arrays.copyOfRange(blocks, k, n);
      int[] checkNums = new int[n - k];
      for (int i = 0; i < checkNums.length; i++) {
        checkNums[i] = k + i;
      }
      ErasureCodec codec = ErasureCodec.of(k, n);
      AesCtr.Stream aes = AesCtr.streamAt(key, 0);
      TaggedHasher segHasher = new TaggedHasher(Hashes.TAG_CRYPTTEXT_SEGMENT);
      TaggedHasher blockHasher = new TaggedHasher(Hashes.TAG_BLOCK);
      TaggedHasher flat = new TaggedHasher(Hashes.TAG_CRYPTTEXT);
      flat.start();
      byte[] ctLeaves = new byte[segs * 32];
      byte[][] blockLeaves = new byte[n][segs * 32];

      for (int s = 0; s < segs; s++) {
        int dataLen = g.segmentDataSize(s);
        int blen = g.blockSize(s);
        int got = in.readNBytes(plain, 0, dataLen);
        if (got != dataLen) {
          throw new IOException("plaintext ended early in pass two (segment " + s + ")");
        }
        segHasher.start();
        for (int j = 0; j < k; j++) {
          int off = j * blen;
          int dl = Math.max(0, Math.min(blen, dataLen - off));
          if (dl > 0) {
            aes.apply(plain, off, dl, primary[j], 0);
            segHasher.update(primary[j], 0, dl);
            flat.update(primary[j], 0, dl);
          }
          Arrays.fill(primary[j], dl, blen, (byte) 0);
        }
        segHasher.finish(ctLeaves, s * 32);
        if (checkNums.length > 0) {
          codec.encodeInto(primary, 0, blen, checkNums, check, 0);
        }
        long blockOffset = layout.dataOffset() + (long) s * bs;
        for (int j = 0; j < n; j++) {
          blockHasher.hash(blocks[j], 0, blen, blockLeaves[j], s * 32);
          ShareSink sink = sinks.get(j);
          if (sink != null) {
            sink.write(blockOffset, ByteBuffer.wrap(blocks[j], 0, blen).asReadOnlyBuffer());
          }
        }
      }
      if (in.read() >= 0) {
        throw new IOException("plaintext grew between passes");
      }

      HashTree ctTree = HashTree.ofConcatenated(ctLeaves, segs);
      HashTree[] blockTrees = new HashTree[n];
      byte[][] roots = new byte[n][];
      for (int j = 0; j < n; j++) {
        blockTrees[j] = HashTree.ofConcatenated(blockLeaves[j], segs);
        roots[j] = blockTrees[j].root();
      }
      HashTree shareTree = HashTree.of(roots);
      UriExtension ueb =
          UriExtension.forFile(g, flat.finish(), ctTree.root(), shareTree.root());
      byte[] ctBytes = ctTree.toBytes();
      for (Map.Entry<Integer, ShareSink> e : sinks.entrySet()) {
        int sh = e.getKey();
        ShareWriter.writeMetadata(
            e.getValue(),
            layout,
            ctBytes,
            blockTrees[sh].toBytes(),
            shareTree.chainBytes(HashTree.immutableChainNodes(n, sh)),
            ueb);
      }
      return ChkEncoding.chk(key, g, ueb, layout.totalLength(ueb.length()));
    }
  }
}
