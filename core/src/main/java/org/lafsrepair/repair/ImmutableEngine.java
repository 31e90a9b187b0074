package org.lafsrepair.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import org.lafsrepair.grid.Happiness;
import org.lafsrepair.grid.PlacementPlan;
import org.lafsrepair.grid.PlacementPlanner;
import org.lafsrepair.grid.ServerState;
import org.lafsrepair.immutable.ShareCandidate;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
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
 * Check and repair of one immutable file: survey (locate + verify) → health → plan → rebuild →
 * commit → verify the new shares → remove what the plan retires → fresh check. The checker is
 * the first half of the repairer, not a copy of it.
 */
final class ImmutableEngine {
  private static final Logger log = LoggerFactory.getLogger(ImmutableEngine.class);

  private final Settings settings;
  private final ShareLocator locator;

  // One instance per kind of call, since each remembers how long its calls take per server.
  private final ServerCalls verifications;
  private final ServerCalls landings;

  ImmutableEngine(Settings settings) {
    this.settings = settings;
    this.locator = new ShareLocator(settings.executor(), settings.listTimeout());
    this.verifications = new ServerCalls(settings.executor());
    this.landings = new ServerCalls(settings.executor());
  }

  /** The listing rounds of this engine (their latency memory is worth sharing). */
  ShareLocator locator() {
    return locator;
  }

  /** Everything the engine needs from its owner (Checker/Repairer builder). */
  record Settings(
      List<StorageServer> servers,
      ExecutorService executor,
      Duration listTimeout,
      Duration verifyTimeout,
      LeaseSecretsFactory leases,
      byte[] leaseSecret,
      boolean removeSurplus,
      boolean freshPostCheck,
      int rebuildParallelism,
      RepairListener listener) {}

  /** Makes the lease secrets to attach to a new share on a server. */
  @FunctionalInterface
  interface LeaseSecretsFactory {
    LeaseSecrets forShare(StorageIndex si, ServerId server);
  }

  /** What was found on the servers. */
  record Survey(
      StorageIndex si,
      List<StorageServer> permuted,
      List<ShareLocator.Answer> answers,
      Map<StorageServer, Map<ShareNumber, ShareVerdict>> verdicts,
      long shareSize,
      boolean verified) {

    List<StorageServer> responding() {
      List<StorageServer> out = new ArrayList<>();
      for (ShareLocator.Answer a : answers) {
        if (a.responded()) {
          out.add(a.server());
        }
      }
      return out;
    }

    Map<ServerId, Set<Integer>> good() {
      Map<ServerId, Set<Integer>> out = new LinkedHashMap<>();
      for (StorageServer s : responding()) {
        Set<Integer> g = new TreeSet<>();
        verdicts.getOrDefault(s, Map.of()).forEach((sh, v) -> {
          if (v.isGood()) {
            g.add(sh.value());
          }
        });
        out.put(s.id(), g);
      }
      return out;
    }
  }

  Survey survey(StorageIndex si, ImmutableFormat fmt, boolean verify) throws InterruptedException {
    List<StorageServer> permuted = org.lafsrepair.grid.Grid.permute(settings.servers(), si);
    List<ShareLocator.Answer> answers = locator.locate(permuted, si);
    Map<StorageServer, Map<ShareNumber, ShareVerdict>> verdicts = new LinkedHashMap<>();
    List<StorageServer> verifyServer = new ArrayList<>();
    List<ShareNumber> verifyShare = new ArrayList<>();
    List<ServerCalls.Call<ShareVerdict>> verifyCalls = new ArrayList<>();
    for (ShareLocator.Answer a : answers) {
      if (!a.responded()) {
        continue;
      }
      Map<ShareNumber, ShareVerdict> mine = new TreeMap<>();
      verdicts.put(a.server(), mine);
      for (ShareInfo info : a.shares()) {
        ShareNumber sh = info.shareNumber();
        if (info.kind() != ShareKind.IMMUTABLE) {
          mine.put(sh, ShareVerdict.corrupt("a mutable share under an immutable file's storage index"));
        } else if (sh.value() >= fmt.n()) {
          mine.put(sh, ShareVerdict.corrupt("share number " + sh.value() + " is not below N=" + fmt.n()));
        } else if (!verify) {
          mine.put(sh, ShareVerdict.good(info.dataLength()));
        } else {
          ShareSource src = ShareSource.of(a.server(), si, sh);
          verifyServer.add(a.server());
          verifyShare.add(sh);
          verifyCalls.add(ServerCalls.Call.of(a.server(), () -> fmt.verify(sh, src)));
        }
      }
    }
    long deadline = System.nanoTime() + settings.verifyTimeout().toNanos();
    List<ShareVerdict> verified = verifications.run(verifyCalls, deadline, i -> ShareVerdict.unreadable(
        "verifying " + verifyShare.get(i) + " on " + verifyServer.get(i).location() + " did not finish in time"));
    for (int i = 0; i < verified.size(); i++) {
      verdicts.get(verifyServer.get(i)).put(verifyShare.get(i), verified.get(i));
    }
    long size = -1;
    for (Map<ShareNumber, ShareVerdict> m : verdicts.values()) {
      for (ShareVerdict v : m.values()) {
        if (v.isGood() && v.shareSize() >= 0) {
          size = Math.max(size, v.shareSize());
        }
      }
    }
    return new Survey(si, permuted, answers, verdicts, size, verify);
  }

  CheckResult result(Survey s, ImmutableFormat fmt, CheckResult.Mode mode, List<String> notes) {
    Map<ServerId, Set<Integer>> good = s.good();
    TreeMap<ShareNumber, List<ServerId>> sharemap = new TreeMap<>();
    List<CheckResult.ShareLocation> corrupt = new ArrayList<>();
    List<String> allNotes = new ArrayList<>(notes);
    int goodHosts = 0;
    for (StorageServer server : s.responding()) {
      boolean hostsGood = false;
      for (Map.Entry<ShareNumber, ShareVerdict> e : s.verdicts().getOrDefault(server, Map.of()).entrySet()) {
        ShareVerdict v = e.getValue();
        switch (v.kind()) {
          case GOOD -> {
            sharemap.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(server.id());
            hostsGood = true;
          }
          case CORRUPT -> corrupt.add(new CheckResult.ShareLocation(server.id(), e.getKey(), v.reason()));
          case INCOMPATIBLE, UNREADABLE ->
              allNotes.add(e.getKey() + " on " + server.id() + " not counted: " + v.reason());
        }
      }
      if (hostsGood) {
        goodHosts++;
      }
    }
    List<ServerId> responding = new ArrayList<>();
    List<ServerId> silent = new ArrayList<>();
    for (ShareLocator.Answer a : s.answers()) {
      if (a.responded()) {
        responding.add(a.server().id());
      } else {
        silent.add(a.server().id());
        allNotes.add("server " + a.server().id() + " (" + a.server().location() + ") not responding: " + a.failure());
      }
    }
    if (!s.verified()) {
      allNotes.add("shares were listed, not read: their contents are not verified (use verify)");
    }
    int distinct = sharemap.size();
    int happiness = Happiness.of(good);
    boolean recoverable = distinct >= fmt.k();
    int wantHappiness = Math.min(fmt.n(), responding.size());
    boolean healthy = distinct == fmt.n() && happiness >= wantHappiness;
    return new CheckResult(
        s.si(), mode, s.verified(), healthy, recoverable, happiness, distinct, fmt.k(), fmt.n(),
        goodHosts, 0, corrupt, recoverable ? 1 : 0, recoverable ? 0 : (distinct > 0 ? 1 : 0),
        sharemap, responding, silent, OptionalLong.empty(), List.of(), allNotes);
  }

  /** Plans and (unless dry-run) carries out the repair of a surveyed file. */
  Outcome repair(Survey s, ImmutableFormat fmt, boolean dryRun) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    List<ServerState> states = new ArrayList<>();
    Map<ServerId, StorageServer> byId = new HashMap<>();
    for (StorageServer server : s.responding()) {
      byId.put(server.id(), server);
      Set<Integer> good = new TreeSet<>();
      Set<Integer> corrupt = new TreeSet<>();
      Set<Integer> untouchable = new TreeSet<>();
      s.verdicts().getOrDefault(server, Map.of()).forEach((sh, v) -> {
        if (v.isGood()) {
          good.add(sh.value());
        } else if (v.kind() == ShareVerdict.Kind.CORRUPT && sh.value() < fmt.n()) {
          corrupt.add(sh.value());
        } else if (sh.value() < fmt.n()) {
          untouchable.add(sh.value()); // unknown version or unreadable now: leave it be
        }
      });
      Set<Capability> caps;
      boolean writable;
      try {
        caps = server.capabilities();
        writable = server.space().maximumImmutableShareSize() >= s.shareSize();
      } catch (StorageException | RuntimeException e) {
        caps = EnumSet.noneOf(Capability.class);
        writable = false;
        problems.add("server " + server.id() + " space query failed: " + e.getMessage());
      }
      states.add(new ServerState(server.id(), good, corrupt, untouchable, writable,
          caps.contains(Capability.REPLACE_IMMUTABLE), caps.contains(Capability.DELETE_SHARE)));
    }
    PlacementPlan plan = PlacementPlanner.plan(fmt.n(), states, settings.removeSurplus());
    if (dryRun || plan.isEmpty()) {
      adviseAll(s, plan, dryRun, problems);
      return new Outcome(plan, List.of(), List.of(), List.of(), 0, problems);
    }

    List<ShareCandidate> sources = sources(s);
    if (sources.stream().map(ShareCandidate::shareNumber).distinct().count() < fmt.k()) {
      problems.add("fewer than k=" + fmt.k() + " good shares to rebuild from");
      return new Outcome(plan, List.of(), List.of(), List.of(), 0, problems);
    }

    // The survivors were verified moments ago, so the first attempt checks the rebuilt data once
    // at the end; if a source changed since, everything written is aborted and a second attempt
    // checks every segment (and drops the bad source).
    Map<ShareNumber, ImmutableUpload> uploads = new TreeMap<>();
    Map<ShareNumber, PlacementPlan.Write> writeOf = new HashMap<>();
    ImmutableFormat.ReadBack readBack = fmt::verify;
    for (boolean trusting = s.verified(); ; trusting = false) {
      openUploads(s, plan, byId, uploads, writeOf, problems);
      Map<ShareNumber, ShareSink> sinks = new TreeMap<>();
      uploads.forEach((sh, u) -> sinks.put(sh, ShareSink.of(u)));
      try {
        if (!sinks.isEmpty()) {
          readBack = fmt.rebuild(sources, sinks, settings.executor(), settings.rebuildParallelism(), trusting);
        }
        break;
      } catch (RebuildException e) {
        abortAll(uploads, problems);
        if (trusting && e.retryWithFreshSinks()) {
          log.warn("{}: {}; rebuilding again, checking every segment", s.si(), e.getMessage());
          uploads.clear();
          writeOf.clear();
          continue;
        }
        problems.add("rebuild failed: " + e.getMessage());
        return new Outcome(plan, List.of(), List.of(), List.of(), 0, problems);
      } catch (StorageException | RuntimeException e) {
        problems.add("rebuild failed: " + e.getMessage());
        abortAll(uploads, problems);
        return new Outcome(plan, List.of(), List.of(), List.of(), 0, problems);
      }
    }

    List<RepairResult.PlacedShare> written = new ArrayList<>();
    List<RepairResult.PlacedShare> replaced = new ArrayList<>();
    long bytes = 0;
    // Commit every upload and read each new share back, all in parallel (commits are where the
    // backends wait for durability): only a share that verifies counts, and only then may other
    // copies be retired.
    List<ShareNumber> order = new ArrayList<>(uploads.keySet());
    List<ServerCalls.Call<Landing>> landCalls = new ArrayList<>();
    for (ShareNumber sh : order) {
      StorageServer target = byId.get(writeOf.get(sh).server());
      ImmutableUpload upload = uploads.get(sh);
      ImmutableFormat.ReadBack check = readBack;
      landCalls.add(ServerCalls.Call.of(target, () -> land(upload, target, s.si(), check)));
    }
    long deadline = System.nanoTime() + settings.verifyTimeout().toNanos();
    List<Landing> landed = landings.run(landCalls, deadline, i -> new Landing(ShareVerdict.unreadable(
        "committing and verifying " + order.get(i) + " on " + writeOf.get(order.get(i)).server()
            + " did not finish in time"), null));
    for (int i = 0; i < order.size(); i++) {
      ShareNumber sh = order.get(i);
      PlacementPlan.Write w = writeOf.get(sh);
      Landing landing = landed.get(i);
      if (landing.commitFailure() != null) {
        problems.add("commit of " + sh + " on " + w.server() + " failed: " + landing.commitFailure());
        continue;
      }
      ShareVerdict v = landing.verdict();
      if (!v.isGood()) {
        problems.add("new " + sh + " on " + w.server() + " did not verify: " + v.reason());
        continue;
      }
      RepairResult.PlacedShare placed = new RepairResult.PlacedShare(w.server(), sh);
      written.add(placed);
      if (w.replacesCorrupt()) {
        replaced.add(placed);
      }
      bytes += s.shareSize();
      settings.listener().shareWritten(s.si(), w.server(), sh, s.shareSize());
    }

    // Retire copies only when every planned write landed and verified.
    List<RepairResult.PlacedShare> removed = new ArrayList<>();
    boolean allLanded = written.size() == plan.writes().size();
    if (allLanded) {
      for (PlacementPlan.Removal r : plan.removals()) {
        StorageServer server = byId.get(r.server());
        try {
          server.deleteShare(s.si(), r.shareNumber(), ShareKind.IMMUTABLE);
          removed.add(new RepairResult.PlacedShare(r.server(), r.shareNumber()));
          settings.listener().shareRemoved(s.si(), r.server(), r.shareNumber());
        } catch (StorageException | RuntimeException ex) {
          problems.add("removing " + r.shareNumber() + " from " + r.server() + " failed: " + ex.getMessage());
        }
      }
    } else if (!plan.removals().isEmpty()) {
      problems.add("not all new shares landed: kept every existing copy");
    }
    adviseAll(s, plan, false, problems);
    return new Outcome(plan, written, replaced, removed, bytes, problems);
  }

  /** Opens an upload for each planned write; a server refusing one is dropped from this round. */
  private void openUploads(Survey s, PlacementPlan plan, Map<ServerId, StorageServer> byId,
      Map<ShareNumber, ImmutableUpload> uploads, Map<ShareNumber, PlacementPlan.Write> writeOf,
      List<String> problems) {
    for (PlacementPlan.Write w : plan.writes()) {
      if (uploads.containsKey(w.shareNumber())) {
        continue; // one new copy per share number per round is enough
      }
      StorageServer target = byId.get(w.server());
      LeaseSecrets lease = settings.leases().forShare(s.si(), w.server());
      try {
        ImmutableUpload u = w.replacesCorrupt()
            ? target.replaceImmutable(s.si(), w.shareNumber(), s.shareSize(), lease)
            : target.allocate(s.si(), w.shareNumber(), s.shareSize(), lease);
        uploads.put(w.shareNumber(), u);
        writeOf.put(w.shareNumber(), w);
      } catch (StorageException | RuntimeException e) {
        String problem = "cannot allocate " + w.shareNumber() + " on " + w.server() + ": " + e.getMessage();
        if (!problems.contains(problem)) { // the careful second round asks the same servers again
          problems.add(problem);
        }
      }
    }
  }

  /** A new share after its commit: the read-back verdict, or why the commit failed. */
  private record Landing(ShareVerdict verdict, String commitFailure) {}

  /** Commits one upload (aborting it if that fails) and verifies what the server then serves. */
  private static Landing land(ImmutableUpload upload, StorageServer target, StorageIndex si,
      ImmutableFormat.ReadBack readBack) {
    try {
      upload.commit();
    } catch (StorageException | RuntimeException ex) {
      List<String> abortProblems = new ArrayList<>();
      abortAll(Map.of(upload.shareNumber(), upload), abortProblems);
      abortProblems.add(0, String.valueOf(ex.getMessage()));
      return new Landing(null, String.join("; ", abortProblems));
    }
    return new Landing(readBack.check(upload.shareNumber(), ShareSource.of(target, si, upload.shareNumber())), null);
  }

  /**
   * The survey as it stands after {@code out}, without reading anything again: shares verified
   * before and untouched keep their verdicts, shares written were read back and verified, removed
   * copies are gone. Used instead of a fresh full verify when the repairer is built with {@code
   * freshPostCheck(false)}.
   */
  Survey afterRepair(Survey pre, Outcome out) {
    Map<StorageServer, Map<ShareNumber, ShareVerdict>> verdicts = new LinkedHashMap<>();
    pre.verdicts().forEach((server, m) -> verdicts.put(server, new TreeMap<>(m)));
    Map<ServerId, StorageServer> byId = new HashMap<>();
    pre.responding().forEach(srv -> byId.put(srv.id(), srv));
    for (RepairResult.PlacedShare p : out.written()) {
      verdicts.computeIfAbsent(byId.get(p.server()), k -> new TreeMap<>())
          .put(p.shareNumber(), ShareVerdict.good(pre.shareSize()));
    }
    for (RepairResult.PlacedShare p : out.removed()) {
      Map<ShareNumber, ShareVerdict> m = verdicts.get(byId.get(p.server()));
      if (m != null) {
        m.remove(p.shareNumber());
      }
    }
    return new Survey(pre.si(), pre.permuted(), pre.answers(), verdicts, pre.shareSize(), true);
  }

  /** What a repair did. */
  record Outcome(
      PlacementPlan plan,
      List<RepairResult.PlacedShare> written,
      List<RepairResult.PlacedShare> replaced,
      List<RepairResult.PlacedShare> removed,
      long bytesWritten,
      List<String> problems) {}

  /**
   * Every good share as a rebuild source, best first: one share per server in permuted order
   * (spreading reads), then the remaining copies as fallbacks.
   */
  private static List<ShareCandidate> sources(Survey s) {
    List<List<ShareCandidate>> perServer = new ArrayList<>();
    for (StorageServer server : s.responding()) {
      List<ShareCandidate> good = new ArrayList<>();
      s.verdicts().getOrDefault(server, Map.of()).forEach((sh, v) -> {
        if (v.isGood()) {
          good.add(new ShareCandidate(sh, ShareSource.of(server, s.si(), sh),
              server.id() + " (" + server.location() + ")"));
        }
      });
      perServer.add(good);
    }
    return ShareCandidate.spreadAcrossServers(perServer);
  }

  private void adviseAll(Survey s, PlacementPlan plan, boolean dryRun, List<String> problems) {
    if (dryRun) {
      return;
    }
    for (PlacementPlan.Advisory a : plan.advisories()) {
      for (StorageServer server : s.responding()) {
        if (server.id().equals(a.server())) {
          ShareVerdict v = s.verdicts().get(server).get(a.shareNumber());
          try {
            server.adviseCorrupt(ShareKind.IMMUTABLE, s.si(), a.shareNumber(),
                v == null ? "corrupt" : v.reason());
          } catch (StorageException | RuntimeException e) {
            problems.add("advisory for " + a.shareNumber() + " on " + a.server() + " failed: " + e.getMessage());
          }
        }
      }
    }
  }

  private static void abortAll(Map<ShareNumber, ImmutableUpload> uploads, List<String> problems) {
    for (Map.Entry<ShareNumber, ImmutableUpload> e : uploads.entrySet()) {
      try {
        e.getValue().abort();
      } catch (StorageException | RuntimeException ex) {
        problems.add("abort of " + e.getKey() + " failed: " + ex.getMessage());
        log.warn("abort of {} failed", e.getKey(), ex);
      }
    }
  }
}
