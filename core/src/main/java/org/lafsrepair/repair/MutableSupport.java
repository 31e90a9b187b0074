package org.lafsrepair.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.lafsrepair.cap.ImmutableBytes;
import org.lafsrepair.cap.MutableVerifyCap;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.cap.VerifyCap;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.grid.Happiness;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.mutable.MutableFileKeys;
import org.lafsrepair.mutable.MutableRepairEngine;
import org.lafsrepair.mutable.MutableRepairResult;
import org.lafsrepair.mutable.MutableServerMap;
import org.lafsrepair.mutable.ServerQueries;
import org.lafsrepair.mutable.MutableShare;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * Routes mutable files (SDMF, MDMF) to the mutable-file engine ({@link MutableServerMap},
 * {@link MutableRepairEngine}) and translates its results into {@link CheckResult} and {@link
 * RepairResult}, so callers see one shape for every kind of file.
 */
final class MutableSupport {
  private MutableSupport() {}

  static FileJob job(ImmutableEngine.Settings settings, Repairer.Target target, ServerQueries queries)
      throws RepairException {
    VerifyCap cap = target.cap().orElseThrow();
    if (!(cap instanceof MutableVerifyCap m)) {
      throw new RepairException("unsupported verify cap kind: " + cap.kind());
    }
    // A write cap, when the caller has one, adds the write-enabler path; a verify cap suffices.
    MutableFileKeys keys = target.given().filter(c -> c.fileCap() instanceof MutableWriteCap)
        .map(c -> MutableFileKeys.of(c.fileCap()))
        .orElse(MutableFileKeys.forVerify(m.index(), m.fingerprint().toByteArray()));
    return new Job(settings, queries, keys, CheckResult.Mode.VERIFY_CAP, List.of());
  }

  /**
   * Storage-index-only: the public key on the shares gives the fingerprint (the one most shares
   * carry), which then authenticates every share's signature as a verify cap would.
   */
  static FileJob storageIndexOnlyJob(ImmutableEngine.Settings settings, ServerQueries queries,
      StorageIndex si, List<ShareLocator.Answer> answers) throws RepairException {
    Map<ImmutableBytes, Integer> votes = new HashMap<>();
    for (ShareLocator.Answer a : answers) {
      for (ShareInfo info : a.shares()) {
        if (info.kind() != ShareKind.MUTABLE) {
          continue;
        }
        try {
          MutableShare share = MutableShare.read(ShareSource.of(a.server(), si, info.shareNumber()));
          votes.merge(ImmutableBytes.copyOf(MutableKeys.fingerprint(share.verificationKey())), 1, Integer::sum);
        } catch (Exception e) {
          // A share we cannot parse casts no vote; the check below reports it as corrupt.
        }
      }
    }
    if (votes.isEmpty()) {
      throw new RepairException("no readable mutable shares for storage index " + si);
    }
    ImmutableBytes fp = votes.entrySet().stream()
        .max(Map.Entry.<ImmutableBytes, Integer>comparingByValue()
            .thenComparing(e -> e.getKey().toBase32(), java.util.Comparator.reverseOrder()))
        .orElseThrow().getKey();
    List<String> notes = new ArrayList<>();
    notes.add(StorageIndexOnly.NOTE);
    if (votes.size() > 1) {
      notes.add("shares carry " + votes.size() + " different public keys; used the one on " + votes.get(fp) + " shares");
    }
    return new Job(settings, queries, MutableFileKeys.forVerify(si, fp.toByteArray()),
        CheckResult.Mode.STORAGE_INDEX_ONLY, notes);
  }

  private static final class Job implements FileJob {
    private final ImmutableEngine.Settings settings;
    private final ServerQueries queries;
    private final MutableFileKeys keys;
    private final CheckResult.Mode mode;
    private final List<String> notes;

    Job(ImmutableEngine.Settings settings, ServerQueries queries, MutableFileKeys keys,
        CheckResult.Mode mode, List<String> notes) {
      this.settings = settings;
      this.queries = queries;
      this.keys = keys;
      this.mode = mode;
      this.notes = notes;
    }

    private List<StorageServer> permuted() {
      return Grid.permute(settings.servers(), keys.storageIndex());
    }

    @Override
    public CheckResult check(boolean verify) {
      long t0 = System.nanoTime();
      MutableServerMap map = MutableServerMap.build(keys, permuted(),
          verify ? MutableServerMap.Mode.VERIFY : MutableServerMap.Mode.CHECK, queries,
          verify ? settings.listTimeout().plus(settings.verifyTimeout()) : settings.listTimeout());
      CheckResult r = toCheck(map, verify);
      settings.listener().checked(r, System.nanoTime() - t0);
      return r;
    }

    @Override
    public RepairResult repair(Repairer.RepairOptions options) {
      long t0 = System.nanoTime();
      List<StorageServer> servers = permuted();
      Duration perServer = settings.listTimeout().plus(settings.verifyTimeout());
      MutableServerMap pre = MutableServerMap.build(keys, servers, MutableServerMap.Mode.VERIFY,
          queries, perServer);
      CheckResult preResult = toCheck(pre, true);
      settings.listener().checked(preResult, System.nanoTime() - t0);
      MutableRepairEngine engine = MutableRepairEngine.builder()
          .dryRun(options.dryRun())
          .force(options.force())
          .leaseSecret(settings.leaseSecret())
          .serverQueries(queries, perServer)
          .build();
      MutableRepairResult r = engine.repair(pre, servers);
      CheckResult post = r.post().map(m -> toCheck(m, true)).orElse(preResult);
      List<String> problems = new ArrayList<>(r.problems());
      r.refusal().ifPresent(x -> problems.add("refused: " + x));
      List<RepairResult.PlacedShare> written = new ArrayList<>();
      List<RepairResult.PlacedShare> replaced = new ArrayList<>();
      long bytes = 0;
      if (!options.dryRun()) {
        for (MutableRepairResult.Placement p : r.written()) {
          written.add(new RepairResult.PlacedShare(p.server(), p.shnum()));
          settings.listener().shareWritten(keys.storageIndex(), p.server(), p.shnum(), 0);
        }
        // As for immutable files, a replacement in place is also a share written.
        for (MutableRepairResult.Placement p : r.replaced()) {
          RepairResult.PlacedShare placed = new RepairResult.PlacedShare(p.server(), p.shnum());
          replaced.add(placed);
          if (!written.contains(placed)) {
            written.add(placed);
          }
        }
      } else {
        r.written().forEach(p -> problems.add("dry run: would write " + p.shnum() + " to " + p.server()));
      }
      boolean attempted = !options.dryRun() && r.attempted();
      return new RepairResult(keys.storageIndex(), preResult, post, attempted,
          !options.dryRun() && post.healthy(), options.dryRun(), written, replaced, List.of(), bytes,
          Optional.empty(), problems);
    }

    private CheckResult toCheck(MutableServerMap map, boolean verified) {
      Optional<MutableServerMap.Version> best = map.best();
      TreeMap<ShareNumber, List<ServerId>> sharemap = new TreeMap<>();
      Map<ServerId, List<Integer>> placements = new java.util.LinkedHashMap<>();
      best.ifPresent(b -> b.goodShares().forEach((sh, servers) -> {
        sharemap.put(sh, List.copyOf(servers));
        servers.forEach(s -> placements.computeIfAbsent(s, x -> new ArrayList<>()).add(sh.value()));
      }));
      List<CheckResult.ShareLocation> corrupt = new ArrayList<>();
      for (MutableServerMap.ShareRecord b : map.badShares()) {
        corrupt.add(new CheckResult.ShareLocation(b.server(), b.shareNumber(), String.valueOf(b.verdict())));
      }
      int k = 0;
      int n = 0;
      if (best.isPresent()) {
        k = best.get().prefix().k();
        n = best.get().prefix().n();
      } else if (!map.versions().isEmpty()) {
        k = map.versions().get(0).prefix().k();
        n = map.versions().get(0).prefix().n();
      }
      List<CheckResult.VersionSummary> versions = new ArrayList<>();
      for (MutableServerMap.Version v : map.versions()) {
        versions.add(new CheckResult.VersionSummary(v.seqnum(), Base32.encode(v.rootHash()),
            v.goodShares().keySet().stream().map(ShareNumber::value).toList(), v.recoverable()));
      }
      List<ServerId> silent = new ArrayList<>(map.failures().keySet());
      List<String> allNotes = new ArrayList<>(notes);
      map.failures().forEach((id, why) -> allNotes.add("server " + id + " not responding: " + why));
      if (!verified) {
        allNotes.add("signatures, keys and hash chains were checked; blocks were not read (use verify)");
      }
      long wrong = map.records().stream().filter(map::isStale).count();
      return new CheckResult(keys.storageIndex(), mode, verified, map.healthy(), map.recoverable(),
          Happiness.of(placements), sharemap.size(), k, n, placements.size(), (int) wrong, corrupt,
          map.recoverableVersions().size(), map.unrecoverableVersions().size(), sharemap,
          map.responding(), silent, best.map(v -> OptionalLong.of(v.seqnum())).orElse(OptionalLong.empty()),
          versions, allNotes);
    }
  }
}
