package org.lafsrepair.service;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work-queue directory of docs/cli.md as a {@link WorkQueue}.
 *
 * <p>Layout: work files (one item a line; blank lines and {@code #} comments ignored; names
 * starting with {@code .} ignored) sit in the queue directory. {@code failed/} receives files with
 * an item that could not be parsed or repaired, each with {@code <name>.report.json}. {@code
 * .state/} holds, per work file being worked on, a claim ({@code claims/}) naming the worker that
 * holds it and an append-only journal ({@code journal/}) of per-line outcomes and retry
 * schedules; and per worker ({@code owners/}) its lease expiry and stats.
 *
 * <p>Guarantees: a work file is deleted only after every item's outcome is durably journaled and
 * every item succeeded (repaired or healthy); otherwise it moves to {@code failed/} only after its
 * report is durable. A worker killed at any moment leaves a journal from which the next claimer
 * resumes without redoing journaled items; its claims become free when its lease runs out. Claims
 * are taken under a file lock on {@code .state/lock} (plus an in-JVM lock), so two workers, in
 * one process or several, never hold the same work file. A file that is replaced (same name, new
 * content) while being worked on is never deleted: its content hash is checked before it goes.
 *
 * <p>Thread-safe. One instance is one worker; several instances may share a directory.
 */
public final class DirectoryWorkQueue implements WorkQueue {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWorkQueue.class);

  /** Name of the state directory inside the queue directory. */
  public static final String STATE_DIR = ".state";
  /** Name of the directory receiving failed work files and their reports. */
  public static final String FAILED_DIR = "failed";
  /** Suffix of a failed file's report. */
  public static final String REPORT_SUFFIX = ".report.json";
  /** Default largest work file accepted (about 100,000 caps); larger ones fail as a whole. */
  public static final long DEFAULT_MAX_FILE_BYTES = 16L << 20;
  /** Default lease duration. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
  /** Default interval of background journal fsyncs; see {@link Builder#syncInterval}. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);

  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final Path stateDir;
  private final Path failedDir;
  private final Path ownersDir;
  private final Path claimsDir;
  private final Path journalDir;
  private final Path trashDir;
  private final Clock clock;
  private final Duration lease;
  private final String owner;
  private final long maxFileBytes;
  private final StepHook hook;
  private final boolean syncEachOutcome;
  private final java.util.concurrent.ScheduledExecutorService syncer;
  private final ReentrantLock jvmLock;
  private final Instant started;

  // Guarded by this.
  private final LinkedHashMap<String, HeldFile> held = new LinkedHashMap<>();
  private Instant leaseExpires;
  private boolean closed;
  private long invalidItems;
  private WorkerStats lastStats;
  private final Set<ItemId> lostSinceHeartbeat = new HashSet<>();

  /** Observes the steps of crash-relevant operations; tests throw from it to simulate a crash. */
  @FunctionalInterface
  interface StepHook {
    StepHook NONE = step -> {};

    void at(String step) throws IOException;
  }

  private DirectoryWorkQueue(Builder b) throws IOException {
    this.dir = b.dir.toAbsolutePath().normalize();
    this.stateDir = dir.resolve(STATE_DIR);
    this.failedDir = dir.resolve(FAILED_DIR);
    this.ownersDir = stateDir.resolve("owners");
    this.claimsDir = stateDir.resolve("claims");
    this.journalDir = stateDir.resolve("journal");
    this.trashDir = stateDir.resolve("trash");
    this.clock = b.clock;
    this.lease = b.lease;
    this.owner = b.owner != null ? b.owner : newOwnerId();
    this.maxFileBytes = b.maxFileBytes;
    this.hook = b.hook;
    this.syncEachOutcome = b.syncInterval.isZero();
    for (Path p : List.of(dir, failedDir, stateDir, ownersDir, claimsDir, journalDir, trashDir)) {
      Files.createDirectories(p);
    }
    this.jvmLock = JVM_LOCKS.computeIfAbsent(stateDir.toRealPath(), p -> new ReentrantLock());
    this.started = clock.instant();
    this.lastStats = WorkerStats.idle(started);
    this.leaseExpires = started.plus(lease);
    writeOwnerFile(leaseExpires, lastStats);
    locked(() -> {
      sweep();
      return null;
    });
    if (syncEachOutcome) {
      syncer = null;
    } else {
      syncer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lafs-repair-queue-sync");
        t.setDaemon(true);
        return t;
      });
      long ms = Math.max(1, b.syncInterval.toMillis());
      syncer.scheduleWithFixedDelay(this::syncJournals, ms, ms,
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  /** Background fsync of every journal with unsynced outcomes. */
  private void syncJournals() {
    List<HeldFile> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(held.values());
    }
    for (HeldFile hf : snapshot) {
      try {
        hf.journal.syncIfDirty();
      } catch (IOException e) {
        LOG.warn("fsync of the journal of {} failed: {}", hf.name, e.toString());
      } catch (IllegalStateException e) {
        // Closed meanwhile (finished or lost): nothing left to make durable.
      }
    }
  }

  /** A builder for a queue on {@code dir} (created if missing). */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** Opens {@code dir} as a queue with default settings. */
  public static DirectoryWorkQueue open(Path dir) throws IOException {
    return builder(dir).build();
  }

  /** Fail-fast configuration of a {@link DirectoryWorkQueue}. */
  public static final class Builder {
    private final Path dir;
    private Clock clock = Clock.systemUTC();
    private Duration lease = DEFAULT_LEASE;
    private String owner;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private Duration syncInterval = DEFAULT_SYNC_INTERVAL;
    private StepHook hook = StepHook.NONE;

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** Wall clock for leases and retry times (must agree across processes sharing the queue). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long claims survive without a heartbeat; at least one second. */
    public Builder leaseDuration(Duration lease) {
      Objects.requireNonNull(lease, "lease");
      if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("lease must be at least 1s, got " + lease);
      }
      this.lease = lease;
      return this;
    }

    /** This worker's id (default: host, pid and a random suffix); letters, digits, {@code ._-}. */
    public Builder ownerId(String owner) {
      Objects.requireNonNull(owner, "owner");
      if (!owner.matches("[A-Za-z0-9._-]{1,100}") || owner.startsWith(".")) {
        throw new IllegalArgumentException("owner id must be 1-100 of [A-Za-z0-9._-]: " + owner);
      }
      this.owner = owner;
      return this;
    }

    /** Largest work file accepted; a larger one moves to failed/ as a whole. */
    public Builder maxFileBytes(long max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxFileBytes must be positive");
      }
      this.maxFileBytes = max;
      return this;
    }

    /**
     * How outcomes reach the disk. Every outcome is written to the journal before {@link
     * #complete} returns, so it survives a crash (kill -9) of this process at once. With {@code
     * Duration.ZERO} each outcome is also fsynced before the call returns (survives power loss,
     * at the price of an fsync per item); with a positive interval (default 100 ms) journals are
     * fsynced in the background that often, so a power loss can cost at most that much finished
     * work, which is then checked again (never lost: a file is only ever deleted once all its
     * outcomes are recorded, and repairs themselves are durable in the storage backend).
     */
    public Builder syncInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("syncInterval must not be negative");
      }
      this.syncInterval = interval;
      return this;
    }

    Builder stepHook(StepHook hook) {
      this.hook = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** Creates the directories if needed, registers this worker and cleans up after crashes. */
    public DirectoryWorkQueue build() throws IOException {
      return new DirectoryWorkQueue(this);
    }
  }

  /** The queue directory. */
  public Path directory() {
    return dir;
  }

  /** This worker's id. */
  public String ownerId() {
    return owner;
  }

  @Override
  public synchronized Optional<Instant> nextRetry() {
    Instant next = null;
    for (HeldFile hf : held.values()) {
      for (Entry e : hf.entries) {
        if (e.state == State.PENDING && (next == null || e.notBefore.isBefore(next))) {
          next = e.notBefore;
        }
      }
    }
    return Optional.ofNullable(next);
  }

  @Override
  public Duration leaseDuration() {
    return lease;
  }

  // ---------------------------------------------------------------------------------------------
  // Adding work

  /**
   * Atomically adds a work file holding {@code items} to the queue directory {@code dir}
   * (created if missing), durably, and returns its name. Writers that are not this class should
   * do the same: write {@code .name}, then rename.
   */
  public static String enqueue(Path dir, List<WorkItem> items) throws IOException {
    return enqueue(dir, "enqueue", items, Clock.systemUTC());
  }

  private static String enqueue(Path dir, String prefix, List<WorkItem> items, Clock clock)
      throws IOException {
    Objects.requireNonNull(items, "items");
    if (items.isEmpty()) {
      throw new IllegalArgumentException("no items to enqueue");
    }
    StringBuilder b = new StringBuilder();
    for (WorkItem item : items) {
      b.append(item.text()).append('\n');
    }
    Files.createDirectories(dir);
    String name = prefix + "-" + NAME_TIME.format(clock.instant()) + "-"
        + String.format("%016x", ThreadLocalRandom.current().nextLong());
    // AtomicFiles writes ".name...tmp" first, which queue scans ignore until the rename.
    AtomicFiles.write(dir.resolve(name), b.toString().getBytes(StandardCharsets.UTF_8), true);
    return name;
  }

  @Override
  public List<ItemId> add(List<WorkItem> items) throws IOException {
    synchronized (this) {
      checkOpen();
    }
    String name = enqueue(dir, "submit", items, clock);
    List<ItemId> ids = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      ids.add(new ItemId(name, i + 1));
    }
    return ids;
  }

  // ---------------------------------------------------------------------------------------------
  // Claiming

  @Override
  public List<Claim> claim(int max) throws IOException {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1");
    }
    List<Claim> out = new ArrayList<>();
    boolean lapsed;
    WorkerStats stats;
    synchronized (this) {
      checkOpen();
      lapsed = clock.instant().isAfter(leaseExpires);
      stats = lastStats;
    }
    if (lapsed) {
      // Never take new work on a dead lease; what renewing reveals as lost is reported by the
      // next heartbeat.
      Set<ItemId> lost = renew(stats);
      synchronized (this) {
        lostSinceHeartbeat.addAll(lost);
      }
    }
    synchronized (this) {
      checkOpen();
      Instant now = clock.instant();
      for (HeldFile hf : held.values()) {
        hf.takeDue(now, max - out.size(), out);
        if (out.size() >= max) {
          return out;
        }
      }
    }
    for (WorkFile wf : listWorkFiles()) {
      if (out.size() >= max) {
        break;
      }
      synchronized (this) {
        checkOpen();
        if (held.containsKey(wf.name)) {
          continue;
        }
      }
      String key = keyOf(wf.name);
      boolean taken = locked(() -> tryClaimFile(wf.name, key));
      if (!taken) {
        continue;
      }
      hook.at("claimed");
      HeldFile hf = load(wf.name, key);
      if (hf == null) {
        continue;
      }
      if (hf.allFinal()) {
        finalizeFile(hf);
        continue;
      }
      synchronized (this) {
        if (closed) {
          hf.journal.close();
          deleteOwnClaim(key);
          checkOpen();
        }
        held.put(wf.name, hf);
        hf.takeDue(clock.instant(), max - out.size(), out);
      }
    }
    return out;
  }

  private record WorkFile(String name, long mtime) {}

  private List<WorkFile> listWorkFiles() throws IOException {
    List<WorkFile> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") || name.equals(FAILED_DIR)) {
          continue;
        }
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue;
        }
        if (a.isRegularFile()) {
          files.add(new WorkFile(name, a.lastModifiedTime().toMillis()));
        }
      }
    }
    files.sort(Comparator.comparingLong(WorkFile::mtime).thenComparing(WorkFile::name));
    return files;
  }

  /** Under the lock: takes the claim on a file if it is free or its holder's lease ran out. */
  private boolean tryClaimFile(String name, String key) throws IOException {
    Path claim = claimsDir.resolve(key);
    Optional<String> holder = readClaimOwner(key);
    if (holder.isPresent()) {
      if (holder.get().equals(owner)) {
        return false; // being finalized by us
      }
      if (isLive(holder.get(), clock.instant())) {
        return false;
      }
      LOG.info("taking over work file {} from worker {} whose lease ran out", name, holder.get());
    }
    if (!Files.isRegularFile(dir.resolve(name))) {
      return false;
    }
    AtomicFiles.write(claim, (owner + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8),
        false);
    return true;
  }

  private Optional<String> readClaimOwner(String key) throws IOException {
    try {
      String s = Files.readString(claimsDir.resolve(key), StandardCharsets.UTF_8);
      int nl = s.indexOf('\n');
      String o = nl < 0 ? s : s.substring(0, nl);
      return o.isEmpty() ? Optional.empty() : Optional.of(o);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private boolean isLive(String who, Instant now) throws IOException {
    if (who.equals(owner)) {
      synchronized (this) {
        return !closed;
      }
    }
    Properties p = readOwnerFile(ownersDir.resolve(who + ".properties"));
    return p != null && isLive(p, now);
  }

  private static boolean isLive(Properties p, Instant now) {
    return expiresOf(p).isAfter(now) && !provablyDead(p);
  }

  /**
   * Whether a worker is certainly gone before its lease runs out: it ran in this same process
   * namespace of this same boot of this machine, and its process no longer exists. That lets a
   * service restarted after kill -9 resume at once instead of waiting out its old lease. Any
   * doubt (another machine or container, unknown platform, a reused pid) answers "not provably".
   */
  private static boolean provablyDead(Properties p) {
    String machine = MACHINE.get();
    if (machine == null || !machine.equals(p.getProperty("machine"))) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(p.getProperty("pid", "").trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (pid == ProcessHandle.current().pid()) {
      return false;
    }
    return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
  }

  /** This machine boot and pid namespace (Linux), or null where that cannot be known. */
  private static final com.google.common.base.Supplier<String> MACHINE =
      com.google.common.base.Suppliers.memoize(() -> {
        try {
          String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
          String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
          return boot.isEmpty() || ns.isEmpty() ? null : boot + "/" + ns;
        } catch (IOException | RuntimeException e) {
          return null;
        }
      });

  /** Reads a work file and its journal; null if the file vanished (claim dropped). */
  private HeldFile load(String name, String key) throws IOException {
    Path file = dir.resolve(name);
    Path journalPath = journalDir.resolve(key + ".log");
    List<Entry> entries;
    String sha;
    try {
      byte[] data = AtomicFiles.readBounded(file, maxFileBytes);
      sha = Hashing.sha256().hashBytes(data).toString();
      entries = parseEntries(name, data);
    } catch (NoSuchFileException e) {
      deleteOwnClaim(key);
      return null;
    } catch (AtomicFiles.TooLargeException e) {
      sha = hashOf(file);
      if (sha == null) {
        deleteOwnClaim(key);
        return null;
      }
      Entry whole = new Entry(1, "");
      whole.finish(new ItemResult(new ItemId(name, 1), "", Outcome.INVALID, 0, 0, 0,
          Optional.of("work file is " + e.size + " bytes, more than the " + maxFileBytes
              + " accepted; split it")));
      entries = List.of(whole);
    }
    HeldFile hf = new HeldFile(name, key, sha, entries);
    Journal.Contents jc = Journal.read(journalPath);
    List<List<String>> recs = jc.records();
    if (!recs.isEmpty() && recs.get(0).size() == 3 && recs.get(0).get(0).equals("H")
        && recs.get(0).get(1).equals(name) && recs.get(0).get(2).equals(sha)) {
      for (List<String> r : recs.subList(1, recs.size())) {
        hf.replay(r);
      }
      hf.journal = Journal.reopen(journalPath, jc.validBytes());
      LOG.info("resuming work file {}: {} of {} items already done", name,
          hf.finalCount(), hf.entries.size());
    } else {
      // No journal, or one left by an earlier file of the same name: start afresh.
      hf.journal = Journal.create(journalPath, List.of("H", name, sha));
    }
    return hf;
  }

  private static String hashOf(Path file) throws IOException {
    try {
      return MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static List<Entry> parseEntries(String name, byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    List<Entry> entries = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String t = lines[i].strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      Entry e = new Entry(i + 1, t.length() > 200 ? t.substring(0, 200) + "..." : t);
      try {
        e.item = WorkItem.parse(t);
      } catch (InvalidWorkItemException ex) {
        e.finish(new ItemResult(new ItemId(name, i + 1), e.text, Outcome.INVALID, 0, 0, 0,
            Optional.of(ex.getMessage())));
      }
      entries.add(e);
    }
    return entries;
  }

  // ---------------------------------------------------------------------------------------------
  // Outcomes

  @Override
  public void complete(Claim claim, ItemResult result) throws IOException, LeaseLostException {
    Objects.requireNonNull(result, "result");
    if (!result.id().equals(claim.id())) {
      throw new IllegalArgumentException("result " + result.id() + " is not for " + claim.id());
    }
    if (result.outcome() == Outcome.INVALID) {
      throw new IllegalArgumentException("INVALID is for unparsable lines only");
    }
    HeldFile hf = claimed(claim);
    hook.at("before-final-record");
    hf.journal.append(List.of("F", Integer.toString(claim.id().line()), result.outcome().name(),
        Integer.toString(result.attempts()), Long.toString(result.bytesWritten()),
        Integer.toString(result.sharesWritten()), result.reason().orElse("")), syncEachOutcome);
    hook.at("final-recorded");
    boolean done;
    synchronized (this) {
      hf.finish(hf.entry(claim.id().line()), result);
      done = hf.allFinal() && held.remove(hf.name, hf);
    }
    if (done) {
      finalizeFile(hf);
    }
  }

  @Override
  public void retryLater(Claim claim, Instant notBefore, String reason)
      throws IOException, LeaseLostException {
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(reason, "reason");
    HeldFile hf = claimed(claim);
    hook.at("before-retry-record");
    hf.journal.append(List.of("R", Integer.toString(claim.id().line()),
        Integer.toString(claim.attempt()), Long.toString(notBefore.toEpochMilli()), reason),
        syncEachOutcome);
    hook.at("retry-recorded");
    synchronized (this) {
      Entry e = hf.entry(claim.id().line());
      e.state = State.PENDING;
      e.attempts = claim.attempt();
      e.notBefore = notBefore;
      e.lastReason = reason;
    }
  }

  @Override
  public synchronized void release(Claim claim) {
    HeldFile hf = held.get(claim.id().unit());
    if (hf == null) {
      return; // already lost or closed: nothing of ours to give back
    }
    Entry e = hf.entry(claim.id().line());
    if (e.state == State.CLAIMED) {
      e.state = State.PENDING;
    }
  }

  private synchronized HeldFile claimed(Claim claim) throws LeaseLostException {
    checkOpen();
    HeldFile hf = held.get(claim.id().unit());
    if (hf == null) {
      throw new LeaseLostException(claim.id(), "work file " + claim.id().unit()
          + " is no longer held by this worker");
    }
    Entry e = hf.entry(claim.id().line());
    if (e.state != State.CLAIMED) {
      throw new IllegalStateException("item " + claim.id() + " is not claimed (" + e.state + ")");
    }
    if (clock.instant().isAfter(leaseExpires)) {
      throw new LeaseLostException(claim.id(), "lease of worker " + owner + " ran out at "
          + leaseExpires + " before the outcome of " + claim.id() + " could be recorded");
    }
    return hf;
  }

  /** Deletes a finished file, or moves it with its report to failed/, then drops its state. */
  private void finalizeFile(HeldFile hf) throws IOException {
    Path file = dir.resolve(hf.name);
    boolean success = hf.entries.stream().allMatch(e -> e.result.outcome().isSuccess());
    if (success) {
      Path trash = trashDir.resolve(hf.key + "." + nonce());
      try {
        Files.move(file, trash, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        dropState(hf);
        return;
      }
      hook.at("moved-to-trash");
      if (!hf.sha.equals(hashOf(trash))) {
        LOG.warn("work file {} was replaced while being worked on; keeping the new one", hf.name);
        restore(trash, hf.name);
        dropState(hf);
        return;
      }
      // No directory fsync: if a power loss undoes the delete, the file is simply checked again.
      Files.delete(trash);
      hook.at("trash-deleted");
      long repaired = hf.entries.stream().filter(e -> e.result.outcome() == Outcome.REPAIRED)
          .count();
      LOG.info("work file {} done: {} items, {} repaired, {} healthy", hf.name, hf.entries.size(),
          repaired, hf.entries.size() - repaired);
    } else {
      if (hf.failedDest == null) {
        String dest = locked(() -> chooseFailedName(hf.name));
        hf.journal.append(List.of("P", dest), true);
        hf.failedDest = dest;
        hook.at("failed-name-recorded");
      }
      Path report = failedDir.resolve(hf.failedDest + REPORT_SUFFIX);
      AtomicFiles.write(report, report(hf), true);
      hook.at("report-written");
      Path target = failedDir.resolve(hf.failedDest);
      try {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        dropState(hf);
        return;
      }
      hook.at("moved-to-failed");
      if (!hf.sha.equals(hashOf(target))) {
        LOG.warn("work file {} was replaced while being worked on; keeping the new one", hf.name);
        restore(target, hf.name);
        Files.deleteIfExists(report);
        dropState(hf);
        return;
      }
      AtomicFiles.fsyncDirectory(failedDir);
      AtomicFiles.fsyncDirectory(dir);
      long bad = hf.entries.stream().filter(e -> !e.result.outcome().isSuccess()).count();
      synchronized (this) {
        invalidItems += hf.entries.stream()
            .filter(e -> e.result.outcome() == Outcome.INVALID).count();
      }
      LOG.warn("work file {} moved to {}/{}: {} of {} items not repaired (see {})", hf.name,
          FAILED_DIR, hf.failedDest, bad, hf.entries.size(), report.getFileName());
    }
    dropState(hf);
  }

  private void restore(Path from, String name) throws IOException {
    try {
      Files.move(from, dir.resolve(name));
    } catch (FileAlreadyExistsException e) {
      Files.move(from, dir.resolve(name + ".restored-" + nonce()));
    }
  }

  private String chooseFailedName(String name) {
    String dest = name;
    for (int i = 2; Files.exists(failedDir.resolve(dest))
        || Files.exists(failedDir.resolve(dest + REPORT_SUFFIX)); i++) {
      dest = name + "~" + i;
    }
    return dest;
  }

  private void dropState(HeldFile hf) throws IOException {
    hf.journal.delete();
    hook.at("journal-deleted");
    deleteOwnClaim(hf.key);
  }

  private void deleteOwnClaim(String key) throws IOException {
    if (readClaimOwner(key).map(owner::equals).orElse(false)) {
      Files.deleteIfExists(claimsDir.resolve(key));
    }
  }

  private static byte[] report(HeldFile hf) {
    StringBuilder b = new StringBuilder();
    b.append("{\"file\": ").append(Json.string(hf.name))
        .append(", \"sha256\": ").append(Json.string(hf.sha))
        .append(", \"entries\": [\n");
    for (int i = 0; i < hf.entries.size(); i++) {
      Entry e = hf.entries.get(i);
      ItemResult r = e.result;
      b.append("  {\"line\": ").append(e.line)
          .append(", \"item\": ").append(Json.string(e.text))
          .append(", \"outcome\": ").append(Json.string(r.outcome().jsonName()))
          .append(", \"reason\": ").append(Json.string(r.reason().orElse(null)))
          .append(", \"attempts\": ").append(r.attempts())
          .append(", \"bytes-written\": ").append(r.bytesWritten())
          .append(", \"shares-written\": ").append(r.sharesWritten())
          .append('}').append(i + 1 < hf.entries.size() ? ",\n" : "\n");
    }
    b.append("]}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // Leases and stats

  @Override
  public Set<ItemId> heartbeat(WorkerStats stats) throws IOException {
    Objects.requireNonNull(stats, "stats");
    Set<ItemId> lost = renew(stats);
    synchronized (this) {
      lost.addAll(lostSinceHeartbeat);
      lostSinceHeartbeat.clear();
    }
    return lost;
  }

  private Set<ItemId> renew(WorkerStats stats) throws IOException {
    Instant now = clock.instant();
    boolean lapsed;
    synchronized (this) {
      checkOpen();
      lapsed = now.isAfter(leaseExpires);
      lastStats = stats;
    }
    Instant expires = now.plus(lease);
    writeOwnerFile(expires, stats);
    Set<ItemId> lost = new HashSet<>();
    if (lapsed) {
      List<HeldFile> snapshot;
      synchronized (this) {
        snapshot = new ArrayList<>(held.values());
      }
      for (HeldFile hf : snapshot) {
        if (!readClaimOwner(hf.key).map(owner::equals).orElse(false)) {
          synchronized (this) {
            if (held.remove(hf.name, hf)) {
              for (Entry e : hf.entries) {
                if (e.state != State.FINAL) {
                  lost.add(new ItemId(hf.name, e.line));
                }
              }
            }
          }
          hf.journal.close();
          LOG.warn("lost work file {}: this worker's lease lapsed and another took it", hf.name);
        }
      }
    }
    synchronized (this) {
      leaseExpires = expires;
    }
    return lost;
  }

  private void writeOwnerFile(Instant expires, WorkerStats s) throws IOException {
    long invalid;
    synchronized (this) {
      invalid = invalidItems;
    }
    Properties p = new Properties();
    p.setProperty("owner", owner);
    p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    if (MACHINE.get() != null) {
      p.setProperty("machine", MACHINE.get());
    }
    p.setProperty("started", s.started().toString());
    p.setProperty("expires", Long.toString(expires.toEpochMilli()));
    p.setProperty("healthy", Long.toString(s.healthy()));
    p.setProperty("repaired", Long.toString(s.repaired()));
    p.setProperty("failed", Long.toString(s.failed() + invalid));
    p.setProperty("bytesRepaired", Long.toString(s.bytesRepaired()));
    p.setProperty("inFlight", Integer.toString(s.inFlight()));
    p.setProperty("itemsPerSecond", Double.toString(s.itemsPerSecond()));
    p.setProperty("bytesPerSecond", Double.toString(s.bytesPerSecond()));
    StringWriter w = new StringWriter();
    p.store(w, null);
    // A lease needs no fsync: after a power loss every worker is gone anyway.
    AtomicFiles.write(ownersDir.resolve(owner + ".properties"),
        w.toString().getBytes(StandardCharsets.ISO_8859_1), false);
  }

  private static Properties readOwnerFile(Path p) throws IOException {
    try {
      Properties props = new Properties();
      props.load(new StringReader(Files.readString(p, StandardCharsets.ISO_8859_1)));
      return props;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring malformed worker file {}: {}", p, e.getMessage());
      return null;
    }
  }

  private static Instant expiresOf(Properties p) {
    return Instant.ofEpochMilli(longOf(p, "expires"));
  }

  private static long longOf(Properties p, String key) {
    try {
      return Math.max(0, Long.parseLong(p.getProperty(key, "0").trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static double doubleOf(Properties p, String key) {
    try {
      double d = Double.parseDouble(p.getProperty(key, "0").trim());
      return Double.isFinite(d) && d > 0 ? d : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() throws IOException {
    List<HeldFile> snapshot;
    WorkerStats s;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      snapshot = new ArrayList<>(held.values());
      held.clear();
      s = lastStats;
    }
    if (syncer != null) {
      syncer.shutdown();
    }
    IOException first = null;
    for (HeldFile hf : snapshot) {
      try {
        try {
          hf.journal.syncIfDirty();
        } catch (IOException e) {
          LOG.warn("fsync of the journal of {} failed: {}", hf.name, e.toString());
        }
        hf.journal.close();
        if (readClaimOwner(hf.key).map(owner::equals).orElse(false)) {
          Files.deleteIfExists(claimsDir.resolve(hf.key));
        }
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    // Ending the lease now lets other workers take over at once.
    writeOwnerFile(clock.instant().minusMillis(1), s);
    if (first != null) {
      throw first;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("queue " + dir + " is closed");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Status

  @Override
  public QueueStatus status() throws IOException {
    return readStatus(dir, clock);
  }

  /**
   * Reads the status of the queue in {@code dir} without joining it as a worker (what {@code
   * lafs-repair status} does). Counts come from the work files, journals and worker files; rates
   * from workers whose lease is live.
   */
  public static QueueStatus readStatus(Path dir, Clock clock) throws IOException {
    Path state = dir.resolve(STATE_DIR);
    Instant now = clock.instant();
    long healthy = 0;
    long repaired = 0;
    long failed = 0;
    long bytes = 0;
    double ips = 0;
    double bps = 0;
    int live = 0;
    Set<String> liveOwners = new HashSet<>();
    Path owners = state.resolve("owners");
    if (Files.isDirectory(owners)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(owners, "*.properties")) {
        for (Path p : ds) {
          if (p.getFileName().toString().startsWith(".")) {
            continue;
          }
          Properties props = readOwnerFile(p);
          if (props == null) {
            continue;
          }
          healthy += longOf(props, "healthy");
          repaired += longOf(props, "repaired");
          failed += longOf(props, "failed");
          bytes += longOf(props, "bytesRepaired");
          if (isLive(props, now)) {
            live++;
            liveOwners.add(props.getProperty("owner", ""));
            ips += doubleOf(props, "itemsPerSecond");
            bps += doubleOf(props, "bytesPerSecond");
          }
        }
      }
    }
    long queued = 0;
    long running = 0;
    long retrying = 0;
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          if (name.startsWith(".") || name.equals(FAILED_DIR) || !Files.isRegularFile(p)) {
            continue;
          }
          long[] pending = pendingOf(state, name, p, now);
          if (pending == null) {
            continue;
          }
          String key = keyOf(name);
          String holder = null;
          try {
            String s = Files.readString(state.resolve("claims").resolve(key));
            holder = s.lines().findFirst().orElse(null);
          } catch (NoSuchFileException e) {
            // unclaimed
          }
          if (holder != null && liveOwners.contains(holder)) {
            running += pending[0];
          } else {
            queued += pending[0];
          }
          retrying += pending[1];
        }
      }
    }
    long failedUnits = 0;
    Path failedDir = dir.resolve(FAILED_DIR);
    if (Files.isDirectory(failedDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(failedDir)) {
        for (Path p : ds) {
          String n = p.getFileName().toString();
          if (!n.startsWith(".") && !n.endsWith(REPORT_SUFFIX)) {
            failedUnits++;
          }
        }
      }
    }
    return new QueueStatus(now, queued, running, retrying, healthy, repaired, failed,
        failedUnits, bytes, ips, bps, live, QueueStatus.etaFor(queued + running, ips));
  }

  /** {unfinished items, of which waiting out a backoff} of one work file; null if it vanished. */
  private static long[] pendingOf(Path state, String name, Path file, Instant now)
      throws IOException {
    byte[] data;
    try {
      data = AtomicFiles.readBounded(file, DEFAULT_MAX_FILE_BYTES);
    } catch (NoSuchFileException e) {
      return null;
    } catch (AtomicFiles.TooLargeException e) {
      return new long[] {1, 0};
    }
    List<Entry> entries = parseEntries(name, data);
    String sha = Hashing.sha256().hashBytes(data).toString();
    HeldFile hf = new HeldFile(name, keyOf(name), sha, entries);
    Journal.Contents jc = Journal.read(state.resolve("journal").resolve(hf.key + ".log"));
    List<List<String>> recs = jc.records();
    if (!recs.isEmpty() && recs.get(0).equals(List.of("H", name, sha))) {
      for (List<String> r : recs.subList(1, recs.size())) {
        hf.replay(r);
      }
    }
    long pending = 0;
    long retrying = 0;
    for (Entry e : hf.entries) {
      if (e.state != State.FINAL) {
        pending++;
        if (e.notBefore.isAfter(now)) {
          retrying++;
        }
      }
    }
    return new long[] {pending, retrying};
  }

  // ---------------------------------------------------------------------------------------------
  // Crash recovery

  /**
   * Under the lock: cleans what crashed workers left behind, never touching state of a live
   * worker. Journals whose work file is gone are dropped (the file was finished: deleted or in
   * failed/); files caught in the trash mid-delete are deleted if the journal shows they were
   * this file and finished, else put back.
   */
  private void sweep() throws IOException {
    Instant now = clock.instant();
    Map<String, List<Path>> trashByKey = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(trashDir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        int dot = n.indexOf('.');
        if (dot > 0) {
          trashByKey.computeIfAbsent(n.substring(0, dot), k -> new ArrayList<>()).add(p);
        }
      }
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(journalDir, "*.log")) {
      for (Path j : ds) {
        String key = j.getFileName().toString();
        key = key.substring(0, key.length() - ".log".length());
        Optional<String> holder = readClaimOwner(key);
        if (holder.isPresent() && isLive(holder.get(), now)) {
          trashByKey.remove(key);
          continue;
        }
        List<List<String>> recs = Journal.read(j).records();
        String name = null;
        String sha = null;
        if (!recs.isEmpty() && recs.get(0).size() == 3 && recs.get(0).get(0).equals("H")) {
          name = recs.get(0).get(1);
          sha = recs.get(0).get(2);
        }
        for (Path t : trashByKey.getOrDefault(key, List.of())) {
          if (sha != null && sha.equals(hashOf(t))) {
            // Moved to the trash only once every item succeeded: finish the delete.
            Files.deleteIfExists(t);
          } else if (name != null) {
            restore(t, name);
          }
        }
        trashByKey.remove(key);
        if (name == null || !keyOf(name).equals(key) || !Files.exists(dir.resolve(name))) {
          Files.deleteIfExists(j);
          Files.deleteIfExists(claimsDir.resolve(key));
        }
      }
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(claimsDir)) {
      for (Path c : ds) {
        String key = c.getFileName().toString();
        if (key.startsWith(".") || Files.exists(journalDir.resolve(key + ".log"))) {
          continue;
        }
        Optional<String> holder = readClaimOwner(key);
        if (holder.isEmpty() || !isLive(holder.get(), now)) {
          // A dead worker's claim on a file it had finished (or never started).
          Files.deleteIfExists(c);
        }
      }
    }
    for (Map.Entry<String, List<Path>> e : trashByKey.entrySet()) {
      Optional<String> holder = readClaimOwner(e.getKey());
      if (holder.isPresent() && isLive(holder.get(), now)) {
        continue;
      }
      for (Path t : e.getValue()) {
        // No journal to prove it finished: never lose work, put it back as a new file.
        Files.move(t, dir.resolve("restored-" + t.getFileName()));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  /** Runs {@code body} holding the queue-wide lock (in-JVM lock, then the OS file lock). */
  private <T> T locked(IoSupplier<T> body) throws IOException {
    jvmLock.lock();
    try (FileChannel ch = FileChannel.open(stateDir.resolve("lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      return body.get();
    } finally {
      jvmLock.unlock();
    }
  }

  /** State file name for a work file: its name's hash, so any legal name is a legal key. */
  static String keyOf(String name) {
    return Hashing.sha256().hashString(name, StandardCharsets.UTF_8).toString().substring(0, 32);
  }

  private static String nonce() {
    return String.format("%016x", ThreadLocalRandom.current().nextLong());
  }

  private static String newOwnerId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      host = "host";
    }
    host = host.replaceAll("[^A-Za-z0-9-]", "").toLowerCase(Locale.ROOT);
    if (host.isEmpty()) {
      host = "host";
    }
    if (host.length() > 40) {
      host = host.substring(0, 40);
    }
    long pid = ProcessHandle.current().pid();
    return host + "-" + pid + "-" + nonce().substring(0, 8);
  }

  private enum State {
    PENDING,
    CLAIMED,
    FINAL
  }

  /** One item line of a work file. Mutable; guarded by the queue's monitor. */
  private static final class Entry {
    final int line;
    final String text;
    WorkItem item;
    State state = State.PENDING;
    int attempts;
    Instant notBefore = Instant.EPOCH;
    String lastReason;
    ItemResult result;

    Entry(int line, String text) {
      this.line = line;
      this.text = text;
    }

    void finish(ItemResult r) {
      state = State.FINAL;
      result = r;
    }
  }

  /** A work file this worker holds. Mutable; guarded by the queue's monitor. */
  private static final class HeldFile {
    final String name;
    final String key;
    final String sha;
    final List<Entry> entries;
    final Map<Integer, Entry> byLine = new HashMap<>();
    Journal journal;
    String failedDest;
    private int finalCount;

    HeldFile(String name, String key, String sha, List<Entry> entries) {
      this.name = name;
      this.key = key;
      this.sha = sha;
      this.entries = entries;
      for (Entry e : entries) {
        byLine.put(e.line, e);
        if (e.state == State.FINAL) {
          finalCount++;
        }
      }
    }

    Entry entry(int line) {
      Entry e = byLine.get(line);
      if (e == null) {
        throw new IllegalStateException("no item at line " + line + " of " + name);
      }
      return e;
    }

    boolean allFinal() {
      return finalCount == entries.size();
    }

    long finalCount() {
      return finalCount;
    }

    void finish(Entry e, ItemResult r) {
      if (e.state != State.FINAL) {
        finalCount++;
      }
      e.finish(r);
    }

    void takeDue(Instant now, int max, List<Claim> out) {
      for (Entry e : entries) {
        if (max <= 0) {
          return;
        }
        if (e.state == State.PENDING && !e.notBefore.isAfter(now)) {
          e.state = State.CLAIMED;
          out.add(new Claim(new ItemId(name, e.line), e.item, e.attempts + 1));
          max--;
        }
      }
    }

    /** Applies one journal record; ignores records that do not fit this file. */
    void replay(List<String> r) {
      try {
        switch (r.get(0)) {
          case "F" -> {
            Entry e = byLine.get(Integer.parseInt(r.get(1)));
            if (e != null && e.state != State.FINAL && r.size() == 7) {
              Outcome o = Outcome.valueOf(r.get(2));
              String reason = r.get(6);
              finish(e, new ItemResult(new ItemId(name, e.line), e.text, o,
                  Integer.parseInt(r.get(3)), Long.parseLong(r.get(4)), Integer.parseInt(r.get(5)),
                  reason.isEmpty() ? Optional.empty() : Optional.of(reason)));
            }
          }
          case "R" -> {
            Entry e = byLine.get(Integer.parseInt(r.get(1)));
            if (e != null && e.state != State.FINAL && r.size() == 5) {
              e.attempts = Math.max(e.attempts, Integer.parseInt(r.get(2)));
              e.notBefore = Instant.ofEpochMilli(Long.parseLong(r.get(3)));
              e.lastReason = r.get(4);
            }
          }
          case "P" -> {
            if (r.size() == 2 && !r.get(1).contains("/") && !r.get(1).startsWith(".")) {
              failedDest = r.get(1);
            }
          }
          default -> LOG.warn("ignoring unknown journal record {} for {}", r.get(0), name);
        }
      } catch (RuntimeException ex) {
        // A record that passed its checksum but does not parse was written by a newer version
        // or by a bug; skipping it can only cause an item to be redone.
        LOG.warn("ignoring malformed journal record {} for {}: {}", r, name, ex.toString());
      }
    }
  }
}
