package org.lafsrepair.mutable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lafsrepair.codec.ErasureCodec;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one version segment by segment from its good shares, checking every block it uses
 * against that share's authenticated block tree (chain → signed root), and falling back to other
 * shares when a block is bad or a server fails. Yields the k primary blocks of each segment,
 * from which callers decrypt (download) or re-encode (repair). Not thread-safe.
 */
final class VersionReader {
  private static final Logger LOG = LoggerFactory.getLogger(VersionReader.class);

  /** One share the reader may use, and what it has learned about it. */
  private static final class Candidate {
    final MutableServerMap.ShareRecord record;
    final ShareSource source;
    boolean treeChecked;
    String failure;

    Candidate(MutableServerMap.ShareRecord record, org.lafsrepair.spi.StorageIndex si) {
      this.record = record;
      this.source = ShareSource.of(record.storageServer(), si, record.shareNumber());
    }
  }

  private final SignedPrefix prefix;
  private final ErasureCodec codec;
  private final Map<ShareNumber, List<Candidate>> byShare = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  VersionReader(MutableServerMap map, SignedPrefix prefix) {
    this.prefix = prefix;
    this.codec = ErasureCodec.of(prefix.k(), prefix.n());
    for (MutableServerMap.ShareRecord r : map.records()) {
      if (r.verdict().isGood() && r.version().orElseThrow().equals(prefix)) {
        byShare.computeIfAbsent(r.shareNumber(), s -> new ArrayList<>())
            .add(new Candidate(r, map.storageIndex()));
      }
    }
  }

  SignedPrefix prefix() {
    return prefix;
  }

  ErasureCodec codec() {
    return codec;
  }

  /** Problems met so far (bad blocks, failed servers), for reports. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  /** Segment {@code i}'s k primary blocks (zero-padded tail included) and its salt. */
  record Segment(byte[][] primary, byte[] salt) {}

  Segment read(int segment) throws UnrecoverableVersionException {
    int k = prefix.k();
    int[] shnums = new int[k];
    byte[][] blocks = new byte[k][];
    byte[] salt = null;
    int have = 0;
    for (Map.Entry<ShareNumber, List<Candidate>> e : byShare.entrySet()) {
      if (have == k) {
        break;
      }
      for (Candidate c : e.getValue()) {
        SaltedBlock b = fetch(c, segment);
        if (b != null) {
          shnums[have] = e.getKey().value();
          blocks[have] = b.blockUnsafe();
          salt = salt == null ? b.saltUnsafe() : salt;
          have++;
          break;
        }
      }
    }
    if (have < k) {
      throw new UnrecoverableVersionException("segment " + segment + " of " + prefix
          + ": only " + have + " of k=" + k + " good blocks readable; " + problems);
    }
    int[] primaries = new int[k];
    for (int i = 0; i < k; i++) {
      primaries[i] = i;
    }
    byte[][] primary = codec.decode(shnums, blocks, primaries);
    return new Segment(primary, salt);
  }

  private SaltedBlock fetch(Candidate c, int segment) {
    if (c.failure != null) {
      return null;
    }
    MutableShare share = c.record.share().orElseThrow();
    try {
      if (!c.treeChecked) {
        ShareChecker.checkStoredTree(share, c.record.shareNumber().value());
        c.treeChecked = true;
      }
      SaltedBlock b = share.readSegment(c.source, segment);
      ShareChecker.checkBlock(share, segment, b);
      return b;
    } catch (CorruptMutableShareException | StorageException e) {
      c.failure = e.getMessage();
      String where = c.record.server().toBase32() + "/" + c.record.shareNumber();
      LOG.debug("{}: {}", where, e.getMessage());
      problems.add(where + ": " + e.getMessage());
      return null;
    }
  }
}
