package org.lafsrepair.mutable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.internal.crypto.LeaseKeys;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.MutableSharePublication;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnablerMismatchException;
import org.lafsrepair.spi.WriteVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs a mutable file without bumping its version: verifies every share, picks the newest
 * recoverable version, decodes it from k authenticated shares, re-encodes all N shares (the
 * share-tree root must come out as signed, or nothing is written), and stores the shares that
 * are missing, corrupt or of another version — byte-identical to what the publisher wrote for
 * each share number, with the same seqnum, root hash and signature. Needs only the verify cap
 * when the servers offer {@link Capability#PUBLISH_AUTHORITY}; with the write cap it uses the
 * ordinary write-enabler path (and falls back to publish authority on an enabler mismatch).
 *
 * <p>Refuses, changing nothing, when a newer version exists but is unrecoverable, or when there
 * are multiple heads, unless built with {@link Builder#force}. Thread-safe (no mutable state).
 */
public final class MutableRepairEngine {
  private static final Logger LOG = LoggerFactory.getLogger(MutableRepairEngine.class);

  private final boolean force;
  private final boolean dryRun;
  private final byte[] leaseSecret;
  private final ServerQueries queries;
  private final java.time.Duration timeout;

  private MutableRepairEngine(Builder b) {
    this.force = b.force;
    this.dryRun = b.dryRun;
    this.leaseSecret = b.leaseSecret;
    this.queries = b.queries;
    this.timeout = b.timeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options; all default to off. */
  public static final class Builder {
    private boolean force;
    private boolean dryRun;
    private byte[] leaseSecret;
    private ServerQueries queries = ServerQueries.onExecutor(Runnable::run);
    private java.time.Duration timeout;

    private Builder() {}

    /**
     * Queries servers for the post-repair map concurrently on {@code executor}, each within
     * {@code timeout} (a server that does not answer in time counts as not responding).
     */
    public Builder serverQueries(java.util.concurrent.Executor executor, java.time.Duration timeout) {
      return serverQueries(ServerQueries.onExecutor(executor), timeout);
    }

    /** As {@link #serverQueries(java.util.concurrent.Executor, java.time.Duration)}, through {@code queries}. */
    public Builder serverQueries(ServerQueries queries, java.time.Duration timeout) {
      this.queries = java.util.Objects.requireNonNull(queries, "queries");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** Repair the best recoverable version even past newer unrecoverable ones or multiple heads. */
    public Builder force(boolean force) {
      this.force = force;
      return this;
    }

    /** Plan only: report what would be written. */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** The client's 32-byte lease secret (Tahoe's {@code private/secret}); random leases if unset. */
    public Builder leaseSecret(byte[] secret) {
      if (secret.length != LeaseKeys.SECRET_LENGTH) {
        throw new IllegalArgumentException("lease secret must be 32 bytes");
      }
      this.leaseSecret = secret.clone();
      return this;
    }

    public MutableRepairEngine build() {
      return new MutableRepairEngine(this);
    }
  }

  /**
   * Checks (VERIFY mode) and, if unhealthy, repairs. Server failures are reported in the result,
   * not thrown.
   */
  public MutableRepairResult repair(MutableFileKeys keys, List<? extends StorageServer> servers) {
    MutableServerMap pre = MutableServerMap.build(keys, servers, MutableServerMap.Mode.VERIFY);
    return repair(pre, servers);
  }

  /** Repairs from a VERIFY-mode map the caller already built (e.g. the checker's). */
  public MutableRepairResult repair(MutableServerMap pre, List<? extends StorageServer> servers) {
    if (pre.mode() != MutableServerMap.Mode.VERIFY) {
      throw new IllegalArgumentException("repair needs a VERIFY-mode server map");
    }
    if (pre.healthy()) {
      return result(pre, null, false, null, List.of(), List.of(), List.of());
    }
    Optional<MutableServerMap.Version> bestOpt = pre.best();
    if (bestOpt.isEmpty()) {
      return refuse(pre, "no recoverable version: " + pre.summary());
    }
    MutableServerMap.Version best = bestOpt.get();
    if (!force && !pre.newerUnrecoverable().isEmpty()) {
      return refuse(pre, "a newer version is unrecoverable ("
          + pre.newerUnrecoverable().get(0).shortName() + "); repairing "
          + best.shortName() + " could bury it (use force)");
    }
    if (!force && pre.multipleHeads()) {
      return refuse(pre, "multiple heads at seqnum " + best.seqnum() + " (use force)");
    }
    SignedPrefix prefix = best.prefix();
    Map<Integer, byte[]> shares;
    List<String> problems = new ArrayList<>();
    List<Target> plan = plan(pre, best, servers);
    try {
      shares = rebuild(pre, prefix,
          plan.stream().map(Target::shnum).collect(java.util.stream.Collectors.toSet()), problems);
    } catch (UnrecoverableVersionException e) {
      return result(pre, null, true, e.getMessage(), List.of(), List.of(), problems);
    }
    if (shares == null) {
      return result(pre, null, true, "decoded data does not reproduce the signed root hash",
          List.of(), List.of(), problems);
    }
    List<MutableRepairResult.Placement> written = new ArrayList<>();
    List<MutableRepairResult.Placement> replaced = new ArrayList<>();
    if (dryRun) {
      for (Target t : plan) {
        (t.existing ? replaced : written).add(new MutableRepairResult.Placement(
            t.candidates.get(0).id(), ShareNumber.of(t.shnum), MutableRepairResult.Method.PLANNED));
      }
      return result(pre, null, true, null, written, replaced, problems);
    }
    StorageIndex si = pre.storageIndex();
    MutableFileKeys keys = pre.keys();
    for (Target t : plan) {
      byte[] bytes = shares.get(t.shnum);
      boolean done = false;
      for (StorageServer server : t.candidates) {
        Optional<MutableRepairResult.Method> how =
            store(keys, si, server, t.shnum, bytes, t.existing, problems);
        if (how.isPresent()) {
          (t.existing ? replaced : written).add(
              new MutableRepairResult.Placement(server.id(), ShareNumber.of(t.shnum), how.get()));
          done = true;
          break;
        }
      }
      if (!done) {
        problems.add("sh" + t.shnum + ": no server accepted it");
      }
    }
    MutableServerMap post = MutableServerMap.build(keys, servers, MutableServerMap.Mode.VERIFY, queries, timeout);
    return result(pre, post, true, null, written, replaced, problems);
  }

  private static MutableRepairResult refuse(MutableServerMap pre, String why) {
    LOG.info("{}: repair refused: {}", pre.storageIndex(), why);
    return new MutableRepairResult(pre, Optional.empty(), false, Optional.of(why), List.of(),
        List.of(), List.of());
  }

  private static MutableRepairResult result(MutableServerMap pre, MutableServerMap post,
      boolean attempted, String refusal, List<MutableRepairResult.Placement> written,
      List<MutableRepairResult.Placement> replaced, List<String> problems) {
    return new MutableRepairResult(pre, Optional.ofNullable(post), attempted,
        Optional.ofNullable(refusal), written, replaced, problems);
  }

  /**
   * The {@code wanted} shares of the version, rebuilt from k authenticated shares (every share's
   * block tree is still computed, to check the root); null if the re-encoding
   * does not reproduce the signed root (then the decode was wrong and nothing must be written).
   */
  static Map<Integer, byte[]> rebuild(MutableServerMap map, SignedPrefix prefix,
      Set<Integer> wanted, List<String> problems) throws UnrecoverableVersionException {
    VersionReader reader = new VersionReader(map, prefix);
    VersionEncoder encoder = new VersionEncoder(prefix.format(), prefix.k(), prefix.n(),
        prefix.numSegments(), wanted);
    for (int i = 0; i < prefix.numSegments(); i++) {
      VersionReader.Segment s = reader.read(i);
      encoder.addSegment(s.primary(), s.salt());
    }
    problems.addAll(reader.problems());
    if (!Arrays.equals(encoder.shareTreeRoot(), prefix.rootHash())) {
      LOG.warn("{}: re-encoded shares do not reproduce the signed root", prefix);
      return null;
    }
    MutableShare template = commonFields(map, prefix);
    Map<Integer, byte[]> out = new HashMap<>();
    for (int sh : wanted) {
      out.put(sh, encoder.share(sh, prefix, template.verificationKeyUnsafe(),
          template.signatureUnsafe(), template.encPrivkeyUnsafe()));
    }
    return out;
  }

  /**
   * A good share of the version whose encrypted private key the others agree on. Good shares
   * already passed the cross-check (decryption with the writekey, or the majority), so they differ
   * only when no value has a majority: then no copy can be trusted and nothing is written.
   */
  private static MutableShare commonFields(MutableServerMap map, SignedPrefix prefix)
      throws UnrecoverableVersionException {
    List<MutableServerMap.ShareRecord> good = map.records().stream()
        .filter(r -> r.verdict().isGood() && r.version().orElseThrow().equals(prefix)).toList();
    MutableShare first = good.get(0).share().orElseThrow();
    for (MutableServerMap.ShareRecord r : good) {
      if (!Arrays.equals(first.encPrivkeyUnsafe(), r.share().orElseThrow().encPrivkeyUnsafe())) {
        throw new UnrecoverableVersionException("the good shares of " + prefix + " disagree on the "
            + "encrypted private key and none has a majority; repair needs the write cap");
      }
    }
    return first;
  }

  /** A share to store: where it may go (in order of preference) and whether it overwrites. */
  private record Target(int shnum, List<StorageServer> candidates, boolean existing) {}

  /**
   * Bad and stale shares are rewritten in place (their share number, current version); share
   * numbers still missing go, ascending, to responding servers ordered by how many shares of
   * this file they will hold, then by Tahoe's permuted order (tahoe-formats.md §7.6).
   */
  private static List<Target> plan(MutableServerMap map, MutableServerMap.Version best,
      List<? extends StorageServer> servers) {
    int n = best.prefix().n();
    List<StorageServer> permuted = new ArrayList<>(Grid.permute(new ArrayList<>(servers),
        map.storageIndex()));
    permuted.removeIf(s -> !map.responding().contains(s.id()));
    Map<StorageServer, Integer> load = new LinkedHashMap<>();
    permuted.forEach(s -> load.put(s, 0));
    Set<Integer> covered = new TreeSet<>(
        best.goodShares().keySet().stream().map(ShareNumber::value).toList());
    List<Target> plan = new ArrayList<>();
    for (MutableServerMap.ShareRecord r : map.records()) {
      StorageServer s = r.storageServer();
      load.computeIfPresent(s, (k, v) -> v + 1);
      // Shares of newer or competing versions are never overwritten, even when forced.
      boolean replace = !r.verdict().isGood()
          || (map.isStale(r) && r.version().orElseThrow().seqnum() < best.seqnum());
      if (replace && r.shareNumber().value() < n) {
        plan.add(new Target(r.shareNumber().value(), List.of(s), true));
        covered.add(r.shareNumber().value());
      }
    }
    for (int sh = 0; sh < n; sh++) {
      if (covered.contains(sh)) {
        continue;
      }
      List<StorageServer> order = new ArrayList<>(permuted);
      order.sort((a, b) -> Integer.compare(load.get(a), load.get(b)));
      if (order.isEmpty()) {
        break;
      }
      load.merge(order.get(0), 1, Integer::sum);
      plan.add(new Target(sh, order, false));
    }
    return plan;
  }

  /** Stores one share on one server by the best available path; empty if it could not. */
  private Optional<MutableRepairResult.Method> store(MutableFileKeys keys, StorageIndex si,
      StorageServer server, int shnum, byte[] bytes, boolean existing, List<String> problems) {
    String where = server.id().toBase32() + "/sh" + shnum;
    LeaseSecrets lease = leaseSecret == null
        ? LeaseSecrets.random() : LeaseKeys.forServer(leaseSecret, si, server.id());
    boolean authority = server.capabilities().contains(Capability.PUBLISH_AUTHORITY);
    Optional<byte[]> writekey = keys.writekey();
    if (writekey.isPresent()) {
      try {
        ShareTestAndWrite tw = new ShareTestAndWrite(List.of(test(server, si, shnum, existing)),
            List.of(new WriteVector(0, bytes)), OptionalLong.of(bytes.length));
        TestAndWriteResult r = server.testAndWrite(si,
            MutableKeys.writeEnablerFor(writekey.get(), server.id()),
            Map.of(ShareNumber.of(shnum), tw), List.of(), lease);
        if (r.success()) {
          return Optional.of(MutableRepairResult.Method.WRITE_ENABLER);
        }
        problems.add(where + ": share changed under us (test vector failed)");
        return Optional.empty();
      } catch (WriteEnablerMismatchException e) {
        if (!authority) {
          problems.add(where + ": " + e.getMessage());
          return Optional.empty();
        }
      } catch (StorageException e) {
        problems.add(where + ": " + e.getMessage());
        return Optional.empty();
      }
    }
    if (!authority) {
      problems.add(where + ": server lacks publish authority and no write cap was given");
      return Optional.empty();
    }
    try {
      server.publishMutableShare(new MutableSharePublication(si, ShareNumber.of(shnum), bytes),
          lease);
      return Optional.of(MutableRepairResult.Method.PUBLISH_AUTHORITY);
    } catch (StorageException e) {
      problems.add(where + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The test vector for an in-place write: the share's current leading bytes as just read (so a
   * concurrent writer's change makes the write fail, as in Tahoe), or "no share" for a new one.
   */
  private static TestVector test(StorageServer server, StorageIndex si, int shnum,
      boolean existing) throws StorageException {
    if (!existing) {
      return TestVector.mustBeEmpty();
    }
    ByteBuffer head = server.read(si, ShareNumber.of(shnum), 0, SignedPrefix.SDMF_LENGTH);
    byte[] b = new byte[head.remaining()];
    head.get(b);
    return new TestVector(0, SignedPrefix.SDMF_LENGTH, b);
  }
}
