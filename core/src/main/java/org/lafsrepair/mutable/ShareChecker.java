package org.lafsrepair.mutable;

import org.lafsrepair.cap.MutableFormat;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.internal.crypto.KeyFormatException;
import org.lafsrepair.internal.crypto.RsaVerificationKey;
import org.lafsrepair.internal.hashtree.BadHashException;
import org.lafsrepair.internal.hashtree.HashTree;
import org.lafsrepair.internal.hashtree.IncompleteHashTree;
import org.lafsrepair.internal.hashtree.NotEnoughHashesException;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.StorageException;

/**
 * Cryptographic checks of one mutable share against a verify cap: fingerprint, signature (for
 * every share; a per-instance cache keyed by the exact key, prefix and signature bytes means
 * byte-identical copies cost one RSA operation), and the data path block → block tree → chain →
 * signed root. Thread-safe.
 */
final class ShareChecker {
  private final MutableFileKeys keys;
  private final Map<Key, Boolean> signatures = new ConcurrentHashMap<>();

  ShareChecker(MutableFileKeys keys) {
    this.keys = keys;
  }

  private record Key(byte[] digest) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(digest, k.digest);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(digest);
    }
  }

  /** Fingerprint of the stored key against the cap, then the signature over the prefix. */
  void checkSigned(MutableShare share) throws CorruptMutableShareException {
    byte[] vk = share.verificationKeyUnsafe();
    if (!keys.fingerprintMatches(vk)) {
      throw new CorruptMutableShareException(ShareRegion.VERIFICATION_KEY,
          "verification key does not match the cap's fingerprint");
    }
    byte[] prefix = share.prefix().toBytes();
    byte[] sig = share.signatureUnsafe();
    MessageDigest d = Hashes.sha256();
    d.update(prefix);
    d.update(sig);
    Boolean ok = signatures.computeIfAbsent(new Key(d.digest()), k -> verify(vk, prefix, sig));
    if (!ok) {
      throw new CorruptMutableShareException(ShareRegion.SIGNATURE,
          "RSA-PSS signature over the signed prefix does not verify");
    }
  }

  private static boolean verify(byte[] vk, byte[] prefix, byte[] sig) {
    try {
      return RsaVerificationKey.fromSpki(vk).verify(prefix, sig);
    } catch (KeyFormatException e) {
      // The fingerprint matched, so these are the writer's own key bytes; unusable means corrupt
      // beyond what the fingerprint covers, which cannot happen short of a hash collision.
      return false;
    }
  }

  /** Tahoe's block-tree leaf: H(block) for SDMF, H(salt ‖ block) for MDMF. */
  static byte[] leafHash(MutableFormat format, SaltedBlock b) {
    MessageDigest d = Hashes.taggedDigest(Hashes.TAG_BLOCK);
    if (format == MutableFormat.MDMF) {
      d.update(b.saltUnsafe());
    }
    d.update(b.blockUnsafe());
    return Hashes.finishSha256d(d);
  }

  /** Bytes of share data read per server call when hashing every block. */
  static final int BATCH = 4 * 1024 * 1024;

  /**
   * Every segment's leaf hash, reading the share data in large batches and hashing straight from
   * the returned buffers (no per-block copies): the hot loop of verification.
   */
  static byte[] leafHashes(MutableShare share, ShareSource source)
      throws CorruptMutableShareException, StorageException {
    SignedPrefix p = share.prefix();
    int segments = p.numSegments();
    boolean salted = p.format() == MutableFormat.MDMF;
    byte[] leaves = new byte[segments * 32];
    MessageDigest d = Hashes.sha256();
    byte[] prefix = Hashes.netstring(Hashes.TAG_BLOCK);
    int i = 0;
    while (i < segments) {
      long start = p.segmentOffset(i);
      int last = i;
      long end = start + stored(p, i, salted);
      while (last + 1 < segments && end + stored(p, last + 1, salted) - start <= BATCH) {
        last++;
        end += stored(p, last, salted);
      }
      ByteBuffer got = source.read(share.offsets().shareData() + start, (int) (end - start));
      if (got.remaining() != end - start) {
        throw new CorruptMutableShareException(ShareRegion.TRUNCATED, i,
            "share data ends early (" + got.remaining() + " of " + (end - start) + " bytes)");
      }
      for (int j = i; j <= last; j++) {
        int n = stored(p, j, salted);
        ByteBuffer one = got.slice();
        one.limit(n);
        got.position(got.position() + n);
        d.reset();
        d.update(prefix);
        d.update(one);
        byte[] inner = d.digest();
        System.arraycopy(d.digest(inner), 0, leaves, j * 32, 32);
      }
      i = last + 1;
    }
    return leaves;
  }

  private static int stored(SignedPrefix p, int segment, boolean salted) {
    return p.blockLength(segment) + (salted ? SignedPrefix.SALT_LENGTH : 0);
  }

  /**
   * Whether {@code blockTreeRoot} as share {@code shnum}'s leaf, with the share's chain, reproduces
   * the signed root. The chain must hold exactly the nodes Tahoe writes.
   */
  static boolean chainValidates(MutableShare share, int shnum, byte[] blockTreeRoot) {
    SignedPrefix p = share.prefix();
    Map<Integer, byte[]> chain = share.shareHashChainUnsafe();
    int[] expected = HashTree.mutableChainNodes(p.n(), shnum);
    if (chain.size() != expected.length) {
      return false;
    }
    for (int node : expected) {
      if (!chain.containsKey(node)) {
        return false;
      }
    }
    IncompleteHashTree t = new IncompleteHashTree(p.n(), p.rootHash());
    try {
      t.addHashes(new HashMap<>(chain), Map.of(shnum, blockTreeRoot));
      return true;
    } catch (BadHashException | NotEnoughHashesException e) {
      return false;
    }
  }

  /** Checks the stored block tree is internally consistent (every parent hashes its children). */
  static boolean treeConsistent(List<byte[]> tree, int leaves) {
    int p = HashTree.paddedLeaves(leaves);
    for (int j = leaves; j < p; j++) {
      if (!Arrays.equals(tree.get(p - 1 + j), HashTree.emptyLeafHash(j))) {
        return false;
      }
    }
    for (int i = p - 2; i >= 0; i--) {
      if (!Arrays.equals(tree.get(i), HashTree.pairHash(tree.get(2 * i + 1), tree.get(2 * i + 2)))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks that the share's stored block tree is authentic: consistent and its root chained to
   * the signed root. After this, each block can be checked against its stored leaf.
   */
  static void checkStoredTree(MutableShare share, int shnum) throws CorruptMutableShareException {
    checkShareNumber(share, shnum);
    List<byte[]> tree = share.blockHashTreeUnsafe();
    if (!chainValidates(share, shnum, tree.get(0))) {
      throw new CorruptMutableShareException(ShareRegion.SHARE_HASH_CHAIN,
          "block-tree root and chain do not lead to the signed root hash");
    }
    if (!treeConsistent(tree, share.prefix().numSegments())) {
      throw new CorruptMutableShareException(ShareRegion.BLOCK_HASH_TREE,
          "block hash tree is inconsistent");
    }
  }

  private static void checkShareNumber(MutableShare share, int shnum)
      throws CorruptMutableShareException {
    if (shnum >= share.prefix().n()) {
      throw new CorruptMutableShareException(ShareRegion.HEADER,
          "share number " + shnum + " is not below N=" + share.prefix().n());
    }
  }

  /** Checks one block against an authentic stored tree ({@link #checkStoredTree} first). */
  static void checkBlock(MutableShare share, int segment, SaltedBlock block)
      throws CorruptMutableShareException {
    int leafNode = HashTree.paddedLeaves(share.prefix().numSegments()) - 1 + segment;
    if (!Arrays.equals(share.blockHashTreeUnsafe().get(leafNode),
        leafHash(share.prefix().format(), block))) {
      throw new CorruptMutableShareException(ShareRegion.SHARE_DATA, segment,
          "block (or its salt) does not match the block hash tree");
    }
  }

  /**
   * Reads every block and checks the whole data path, naming the damaged region: share data if
   * the stored tree is authentic but a leaf differs, the block tree if the blocks are right but
   * the stored tree is not, the chain if neither reaches the signed root. Also checks MDMF's gap.
   */
  static void checkData(MutableShare share, ShareSource source, int shnum)
      throws CorruptMutableShareException, StorageException {
    checkShareNumber(share, shnum);
    SignedPrefix p = share.prefix();
    int segments = p.numSegments();
    byte[] leaves = leafHashes(share, source);
    HashTree computed = HashTree.ofConcatenated(leaves, segments);
    List<byte[]> stored = share.blockHashTreeUnsafe();
    if (chainValidates(share, shnum, computed.root())) {
      for (int i = 0; i < stored.size(); i++) {
        if (!Arrays.equals(stored.get(i), computed.node(i))) {
          throw new CorruptMutableShareException(ShareRegion.BLOCK_HASH_TREE,
              "stored node " + i + " differs from the tree over the blocks");
        }
      }
    } else if (chainValidates(share, shnum, stored.get(0)) && treeConsistent(stored, segments)) {
      int first = HashTree.paddedLeaves(segments) - 1;
      for (int i = 0; i < segments; i++) {
        if (!Arrays.equals(stored.get(first + i), computed.node(first + i))) {
          throw new CorruptMutableShareException(ShareRegion.SHARE_DATA, i,
              "block (or its salt) does not match the block hash tree");
        }
      }
      throw new IllegalStateException("trees differ at the root but at no leaf");
    } else {
      throw new CorruptMutableShareException(ShareRegion.SHARE_HASH_CHAIN,
          "neither the blocks nor the stored block tree lead to the signed root through the chain");
    }
    if (!share.reservedGapZero()) {
      throw new CorruptMutableShareException(ShareRegion.RESERVED_GAP,
          "reserved gap before the share data is not zero");
    }
  }
}
