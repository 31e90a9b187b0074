package org.lafsrepair.mutable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lafsrepair.grid.Happiness;
import org.lafsrepair.internal.crypto.AesCtr;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.ReadVector;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every mutable share of one file found on a set of servers, each with its verdict and version,
 * and what that means: all versions seen, which are recoverable, the best recoverable one, newer
 * unrecoverable versions, multiple heads, health (tahoe-formats.md §7.6, §9.2). Built by {@link
 * #build}; immutable afterwards.
 *
 * <p>Every share's signature is verified (not only the first per version, as Tahoe does). In
 * {@link Mode#VERIFY} every block of every share is also checked against the block tree, the
 * chain and the signed root. In both modes the encrypted private key, which is identical in all
 * shares of a version but covered by no hash, is cross-checked: with the writekey by decrypting
 * it, otherwise by majority among the version's shares.
 */
public final class MutableServerMap {
  private static final Logger LOG = LoggerFactory.getLogger(MutableServerMap.class);
  /** First read per share: header and metadata of any Tahoe-written share (MDMF data starts at 2167). */
  static final int PREFETCH = 4096;

  /** How much to check. */
  public enum Mode {
    /** Header, key, signature and the private-key cross-check; reads a few KiB per share. */
    CHECK,
    /** Everything, including every block of every share. */
    VERIFY
  }

  /** One share on one server. */
  public static final class ShareRecord {
    private final StorageServer server;
    private final ShareNumber shnum;
    private final MutableShare share;
    private ShareVerdict verdict;

    ShareRecord(StorageServer server, ShareNumber shnum, MutableShare share, ShareVerdict verdict) {
      this.server = server;
      this.shnum = shnum;
      this.share = share;
      this.verdict = verdict;
    }

    public ServerId server() {
      return server.id();
    }

    StorageServer storageServer() {
      return server;
    }

    public ShareNumber shareNumber() {
      return shnum;
    }

    /** The share's signed prefix, if it parsed. */
    public Optional<SignedPrefix> version() {
      return share == null ? Optional.empty() : Optional.of(share.prefix());
    }

    Optional<MutableShare> share() {
      return Optional.ofNullable(share);
    }

    public ShareVerdict verdict() {
      return verdict;
    }

    @Override
    public String toString() {
      return server.id().toBase32() + "/" + shnum + ": " + verdict.kind()
          + (verdict.isGood() ? " " + share.prefix() : " " + verdict.detail());
    }
  }

  /** One version: its prefix and where its good shares are. */
  public record Version(SignedPrefix prefix, SortedMap<ShareNumber, List<ServerId>> goodShares) {
    public Version {
      Objects.requireNonNull(prefix, "prefix");
      SortedMap<ShareNumber, List<ServerId>> copy = new TreeMap<>();
      goodShares.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      goodShares = Collections.unmodifiableSortedMap(copy);
    }

    public long seqnum() {
      return prefix.seqnum();
    }

    public byte[] rootHash() {
      return prefix.rootHash();
    }

    /** At least k distinct good share numbers. */
    public boolean recoverable() {
      return goodShares.size() >= prefix.k();
    }

    /** Tahoe's short name, {@code seq<n>-<first 4 base32 chars of the root>}. */
    public String shortName() {
      return "seq" + prefix.seqnum() + "-"
          + org.lafsrepair.spi.Base32.encode(prefix.rootHash()).substring(0, 4);
    }
  }

  private static final Comparator<SignedPrefix> NEWEST_FIRST = Comparator
      .comparingLong(SignedPrefix::seqnum)
      .thenComparing(SignedPrefix::rootHash, Arrays::compareUnsigned)
      .reversed();

  private final MutableFileKeys keys;
  private final Mode mode;
  private final List<ShareRecord> records;
  private final List<ServerId> responding;
  private final Map<ServerId, String> failures;
  private final List<Version> versions;

  private MutableServerMap(MutableFileKeys keys, Mode mode, List<ShareRecord> records,
      List<ServerId> responding, Map<ServerId, String> failures) {
    this.keys = keys;
    this.mode = mode;
    this.records = List.copyOf(records);
    this.responding = List.copyOf(responding);
    this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    Map<SignedPrefix, SortedMap<ShareNumber, List<ServerId>>> byVersion = new HashMap<>();
    for (ShareRecord r : records) {
      if (r.verdict.isGood()) {
        byVersion.computeIfAbsent(r.share.prefix(), p -> new TreeMap<>())
            .computeIfAbsent(r.shnum, s -> new ArrayList<>()).add(r.server());
      }
    }
    List<Version> vs = new ArrayList<>();
    byVersion.forEach((p, m) -> vs.add(new Version(p, m)));
    vs.sort(Comparator.comparing(Version::prefix, NEWEST_FIRST));
    this.versions = List.copyOf(vs);
  }

  /**
   * Queries every server (failures are recorded, not thrown) and checks every mutable share of
   * {@code keys.storageIndex()}.
   */
  public static MutableServerMap build(
      MutableFileKeys keys, List<? extends StorageServer> servers, Mode mode) {
    return build(keys, servers, mode, Runnable::run);
  }

  /**
   * As {@link #build(MutableFileKeys, List, Mode)}, querying the servers concurrently on {@code
   * executor} (one task per server); the result is the same as a sequential build.
   */
  public static MutableServerMap build(MutableFileKeys keys, List<? extends StorageServer> servers,
      Mode mode, java.util.concurrent.Executor executor) {
    return build(keys, servers, mode, ServerQueries.onExecutor(executor), null);
  }

  /**
   * As {@link #build(MutableFileKeys, List, Mode, java.util.concurrent.Executor)}, with a deadline:
   * a server that has not answered (listed and, in VERIFY mode, had its shares read and checked)
   * within {@code timeout} of the start counts as not responding, so a hung backend cannot stall
   * the map. Its query is left to finish or fail on its own.
   */
  public static MutableServerMap build(MutableFileKeys keys, List<? extends StorageServer> servers,
      Mode mode, java.util.concurrent.Executor executor, java.time.Duration timeout) {
    return build(keys, servers, mode, ServerQueries.onExecutor(executor), timeout);
  }

  /**
   * Queries the servers through {@code queries}, one query per server, within {@code timeout}
   * (null: no limit); a server that does not answer in time counts as not responding. If the
   * calling thread is interrupted meanwhile, the servers not yet heard count as not responding
   * and the thread's interrupt flag is set again.
   */
  public static MutableServerMap build(MutableFileKeys keys, List<? extends StorageServer> servers,
      Mode mode, ServerQueries queries, java.time.Duration timeout) {
    Objects.requireNonNull(queries, "queries");
    ShareChecker checker = new ShareChecker(keys);
    List<java.util.function.Supplier<ServerAnswer>> asks = new ArrayList<>(servers.size());
    for (StorageServer server : servers) {
      asks.add(() -> query(checker, keys.storageIndex(), server, mode));
    }
    List<ServerAnswer> answers;
    String missing;
    try {
      answers = queries.run(servers, asks, timeout);
      missing = timeout == null ? "the query failed" : "no answer within " + timeout.toMillis() + " ms";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answers = Collections.nCopies(servers.size(), null);
      missing = "interrupted while waiting for the answer";
    }
    List<ShareRecord> records = new ArrayList<>();
    List<ServerId> responding = new ArrayList<>();
    Map<ServerId, String> failures = new LinkedHashMap<>();
    for (int i = 0; i < servers.size(); i++) {
      ServerAnswer a = answers.get(i) != null ? answers.get(i)
          : new ServerAnswer(servers.get(i), List.of(), missing);
      if (a.failure() != null) {
        failures.put(a.server().id(), a.failure());
      } else {
        responding.add(a.server().id());
        records.addAll(a.records());
      }
    }
    crossCheckPrivateKeys(keys, records);
    return new MutableServerMap(keys, mode, records, responding, failures);
  }

  private record ServerAnswer(StorageServer server, List<ShareRecord> records, String failure) {}

  private static ServerAnswer query(ShareChecker checker, StorageIndex si, StorageServer server,
      Mode mode) {
    List<ShareRecord> records = new ArrayList<>();
    try {
      List<ShareInfo> infos = server.listShares(si);
      if (!infos.isEmpty()) {
        Map<ShareNumber, List<byte[]>> heads =
            server.readVectors(si, Set.of(), List.of(new ReadVector(0, PREFETCH)));
        for (ShareInfo info : infos) {
          if (info.kind() != ShareKind.MUTABLE) {
            records.add(new ShareRecord(server, info.shareNumber(), null, new ShareVerdict(
                ShareVerdict.Kind.INCOMPATIBLE, ShareRegion.VERSION, -1, "immutable share")));
            continue;
          }
          List<byte[]> head = heads.get(info.shareNumber());
          records.add(examine(checker, server, si, info.shareNumber(),
              head == null || head.isEmpty() ? new byte[0] : head.get(0), mode));
        }
      }
      return new ServerAnswer(server, records, null);
    } catch (StorageException e) {
      LOG.debug("{}: {}", server.location(), e.toString());
      return new ServerAnswer(server, List.of(),
          e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (RuntimeException e) {
      // A backend breaking its contract is a broken server, not a reason to fail the whole map.
      LOG.warn("{}: unchecked exception from the backend", server.location(), e);
      return new ServerAnswer(server, List.of(),
          e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private static ShareRecord examine(ShareChecker checker, StorageServer server, StorageIndex si,
      ShareNumber shnum, byte[] head, Mode mode) throws StorageException {
    ShareSource remote = ShareSource.of(server, si, shnum);
    ShareSource source = (offset, length) -> {
      if (offset + length <= head.length || head.length < PREFETCH) {
        int from = (int) Math.min(offset, head.length);
        int to = (int) Math.min(offset + length, head.length);
        return ByteBuffer.wrap(head, from, to - from).slice().asReadOnlyBuffer();
      }
      return remote.read(offset, length);
    };
    MutableShare share = null;
    try {
      share = MutableShare.read(source);
      checker.checkSigned(share);
      if (mode == Mode.VERIFY) {
        ShareChecker.checkData(share, source, shnum.value());
      } else {
        if (shnum.value() >= share.prefix().n()) {
          throw new CorruptMutableShareException(ShareRegion.HEADER,
              "share number " + shnum.value() + " is not below N=" + share.prefix().n());
        }
      }
      return new ShareRecord(server, shnum, share, ShareVerdict.good());
    } catch (CorruptMutableShareException e) {
      return new ShareRecord(server, shnum, share, ShareVerdict.of(e));
    }
  }

  /**
   * The encrypted private key is the same in every share of a version and covered by no hash: with
   * the writekey, a copy is good iff it decrypts to a key hashing back to the writekey; without,
   * copies differing from the strict majority of the version's good shares are corrupt.
   */
  private static void crossCheckPrivateKeys(MutableFileKeys keys, List<ShareRecord> records) {
    Map<SignedPrefix, List<ShareRecord>> byVersion = new HashMap<>();
    for (ShareRecord r : records) {
      if (r.verdict.isGood()) {
        byVersion.computeIfAbsent(r.share.prefix(), p -> new ArrayList<>()).add(r);
      }
    }
    Optional<byte[]> writekey = keys.writekey();
    for (List<ShareRecord> group : byVersion.values()) {
      byte[] reference = writekey.isPresent() ? null : majority(group);
      for (ShareRecord r : group) {
        byte[] enc = r.share.encPrivkeyUnsafe();
        boolean ok = writekey.isPresent()
            ? Arrays.equals(MutableKeys.writekey(AesCtr.apply(writekey.get(), enc)), writekey.get())
            : reference == null || Arrays.equals(reference, enc);
        if (!ok) {
          r.verdict = new ShareVerdict(ShareVerdict.Kind.CORRUPT, ShareRegion.ENC_PRIVKEY, -1,
              writekey.isPresent()
                  ? "encrypted private key does not decrypt to the writekey's key"
                  : "encrypted private key differs from the other shares of this version");
        }
      }
    }
  }

  /** The strict-majority value of the group's encrypted private keys, or null if none. */
  static byte[] majority(List<ShareRecord> group) {
    Map<ByteBuffer, Integer> counts = new HashMap<>();
    for (ShareRecord r : group) {
      counts.merge(ByteBuffer.wrap(r.share.encPrivkeyUnsafe()), 1, Integer::sum);
    }
    for (Map.Entry<ByteBuffer, Integer> e : counts.entrySet()) {
      if (2 * e.getValue() > group.size()) {
        return e.getKey().array();
      }
    }
    return null;
  }

  // ----------------------------------------------------------------------------- queries

  public StorageIndex storageIndex() {
    return keys.storageIndex();
  }

  MutableFileKeys keys() {
    return keys;
  }

  public Mode mode() {
    return mode;
  }

  public List<ShareRecord> records() {
    return records;
  }

  /** Servers that answered the listing. */
  public List<ServerId> responding() {
    return responding;
  }

  /** Servers whose queries failed, with the error. */
  public Map<ServerId, String> failures() {
    return failures;
  }

  /** Every version with at least one good share, newest first (seqnum, then root hash). */
  public List<Version> versions() {
    return versions;
  }

  public List<Version> recoverableVersions() {
    return versions.stream().filter(Version::recoverable).toList();
  }

  public List<Version> unrecoverableVersions() {
    return versions.stream().filter(v -> !v.recoverable()).toList();
  }

  /** The newest recoverable version. */
  public Optional<Version> best() {
    return versions.stream().filter(Version::recoverable).findFirst();
  }

  /** Unrecoverable versions with a seqnum above the best recoverable one (all, if none is). */
  public List<Version> newerUnrecoverable() {
    long floor = best().map(Version::seqnum).orElse(Long.MIN_VALUE);
    return versions.stream().filter(v -> !v.recoverable() && v.seqnum() > floor).toList();
  }

  /** More than one version at the best version's seqnum (uncoordinated writers). */
  public boolean multipleHeads() {
    Optional<Version> best = best();
    return best.isPresent()
        && versions.stream().filter(v -> v.seqnum() == best.get().seqnum()).count() > 1;
  }

  /** Shares that failed a check (corrupt or incompatible). */
  public List<ShareRecord> badShares() {
    return records.stream().filter(r -> !r.verdict.isGood()).toList();
  }

  /** Whether a good share belongs to a version other than the best one. */
  public boolean isStale(ShareRecord r) {
    return r.verdict.isGood() && best().map(b -> !b.prefix().equals(r.share.prefix())).orElse(false);
  }

  /** Exactly one version, recoverable, with all N share numbers, and no bad shares. */
  public boolean healthy() {
    Optional<Version> best = best();
    return best.isPresent() && versions.size() == 1 && badShares().isEmpty()
        && best.get().goodShares().size() == best.get().prefix().n();
  }

  public boolean recoverable() {
    return best().isPresent();
  }

  /** Tahoe's summary line. */
  public String summary() {
    if (healthy()) {
      return "Healthy";
    }
    Optional<Version> best = best();
    if (best.isEmpty()) {
      return "Unhealthy: unrecoverable (" + versions.size() + " versions seen)";
    }
    SignedPrefix p = best.get().prefix();
    return "Not Healthy: " + best.get().goodShares().size() + " shares (enc " + p.k() + "-of-"
        + p.n() + ")";
  }

  /**
   * The {@code results} object of {@code check --json} (docs/cli.md) for this file, as ordered
   * maps and lists ready for any JSON writer; counts refer to the best recoverable version.
   */
  public Map<String, Object> checkResults() {
    Map<String, Object> r = new LinkedHashMap<>();
    Optional<Version> best = best();
    Map<ServerId, List<Integer>> placements = new LinkedHashMap<>();
    best.ifPresent(b -> b.goodShares().forEach((sh, servers) -> servers.forEach(
        s -> placements.computeIfAbsent(s, x -> new ArrayList<>()).add(sh.value()))));
    r.put("healthy", healthy());
    r.put("recoverable", recoverable());
    r.put("count-happiness", Happiness.of(placements));
    r.put("count-shares-good", best.map(b -> b.goodShares().size()).orElse(0));
    SignedPrefix anyPrefix = best.map(Version::prefix)
        .orElseGet(() -> versions.isEmpty() ? null : versions.get(0).prefix());
    r.put("count-shares-needed", anyPrefix == null ? 0 : anyPrefix.k());
    r.put("count-shares-expected", anyPrefix == null ? 0 : anyPrefix.n());
    r.put("count-good-share-hosts", placements.size());
    r.put("count-wrong-shares", records.stream().filter(this::isStale).count());
    List<List<Object>> corrupt = new ArrayList<>();
    for (ShareRecord b : badShares()) {
      corrupt.add(List.of(b.server().toBase32(), storageIndex().toBase32(), b.shnum.value()));
    }
    r.put("count-corrupt-shares", corrupt.size());
    r.put("list-corrupt-shares", corrupt);
    r.put("count-recoverable-versions", recoverableVersions().size());
    r.put("count-unrecoverable-versions", unrecoverableVersions().size());
    Map<String, List<String>> sharemap = new LinkedHashMap<>();
    best.ifPresent(b -> b.goodShares().forEach((sh, servers) -> sharemap.put(
        Integer.toString(sh.value()), servers.stream().map(ServerId::toBase32).toList())));
    r.put("sharemap", sharemap);
    r.put("servers-responding", responding.stream().map(ServerId::toBase32).toList());
    r.put("seqnum", best.map(Version::seqnum).orElse(-1L));
    List<Map<String, Object>> vs = new ArrayList<>();
    for (Version v : versions) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("seqnum", v.seqnum());
      m.put("root-hash", org.lafsrepair.spi.Base32.encode(v.rootHash()));
      m.put("recoverable", v.recoverable());
      m.put("good-shnums", v.goodShares().keySet().stream().map(ShareNumber::value).toList());
      vs.add(m);
    }
    r.put("versions", vs);
    return r;
  }

  @Override
  public String toString() {
    return "MutableServerMap[" + storageIndex() + ", " + summary() + ", " + records.size()
        + " shares]";
  }
}
