package org.lafsrepair.backend.disk;

import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;
import com.google.common.util.concurrent.Striped;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.OutOfSpaceException;
import org.lafsrepair.spi.ReadVector;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ServerUnavailableException;
import org.lafsrepair.spi.ShareConflictException;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNotFoundException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.SpaceInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerMismatchException;
import org.lafsrepair.spi.WriteVector;
import org.lafsrepair.spi.MutableSharePublication;
import org.lafsrepair.spi.PublicationResult;
import org.lafsrepair.spi.WriteEnablerRebind;
import org.lafsrepair.spi.authority.MutableShareIntegrity;
import org.lafsrepair.spi.authority.PublishAuthority;
import org.lafsrepair.spi.authority.SlotView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StorageServer} over a Tahoe-LAFS storage node's base directory, byte-compatible with
 * Tahoe 1.17+: {@code <dir>/my_nodeid}, {@code <dir>/storage/shares/<si[0:2]>/<si>/<shnum>},
 * {@code storage/shares/incoming/...} and {@code storage/corruption-advisories/}. It reads
 * immutable containers v1 and v2 and mutable containers v1 and v2, and writes v2 with
 * BLAKE2b-256-hashed lease secrets, exactly as Tahoe does.
 *
 * <p>Durability: an immutable upload is written under {@code incoming/} and renamed into place
 * at commit after fsync of the file, then the directory is fsynced; {@code incoming/} is wiped
 * when a server opens the directory (as Tahoe does), so a crash never leaves a visible partial
 * share. A mutable test-and-write writes a new copy of each container and renames it over the
 * old one; containers whose data exceed {@link #COPY_ON_WRITE_LIMIT} are updated in place, as
 * Tahoe always does, and fsynced. Leases are kept when shares are rewritten or replaced.
 *
 * <p>Reads keep a few recently read share files open (at most a second) so that reading a share
 * in pieces costs one open; this server's own changes drop them at once, changes by another
 * process are seen within that second.
 *
 * <p>Thread-safe: operations on one storage index are serialised by a striped read-write lock.
 * Several processes may open one directory, but only the first (which holds {@code
 * storage/.lafs-repair.lock}) wipes {@code incoming/}; concurrent writers in different processes
 * are not coordinated, exactly as with Tahoe.
 */
public final class DiskStorageServer implements StorageServer {
  /** Mutable containers with more share data than this are updated in place. */
  public static final long COPY_ON_WRITE_LIMIT = 16L * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(DiskStorageServer.class);
  private static final Pattern SHNUM = Pattern.compile("0|[1-9][0-9]{0,2}");
  private static final int MAX_REASON_CHARS = 32765;
  // FileChannel.open(path, option...) builds a new option set every call.
  private static final Set<StandardOpenOption> READ_ONLY = EnumSet.of(StandardOpenOption.READ);

  private final Path serverDir;
  private final Path storageDir;
  private final Path sharesDir;
  private final Path incomingDir;
  private final Path advisoryDir;
  private final ServerId id;
  private final byte[] permutationSeed;
  private final Clock clock;
  private final long reservedSpace;
  private final long uploadIdleNanos;
  // Looked up once: finding a path's file store reads the whole mount table.
  private final FileStore fileStore;
  private final Striped<ReadWriteLock> locks = Striped.readWriteLock(64);
  private final Map<Key, DiskUpload> uploads = new ConcurrentHashMap<>();
  private final ExecutorService syncExecutor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "lafs-repair-disk-fsync");
    t.setDaemon(true);
    return t;
  });
  private final FileChannel lockChannel;
  private final FileLock dirLock;
  private volatile boolean closed;
  private final Locality locality;
  private final MutableShareIntegrity integrity;

  private record Key(StorageIndex si, ShareNumber shnum) {}

  /** An open, parsed share kept for further ranged reads. */
  private record Open(FileChannel channel, Parsed parsed, long size, long openedNanos) {}

  /**
   * Share files recently read, so a reader walking a share in pieces does not reopen and reparse
   * it every call. Entries are dropped under the storage index's write lock whenever this server
   * changes the share, and live at most {@link #OPEN_TTL_NANOS} so changes made by another
   * process are seen soon. Guarded by itself.
   */
  private final LinkedHashMap<Path, Open> openShares = new LinkedHashMap<>(64, 0.75f, true);

  private static final int OPEN_CACHE_SIZE = 64;
  private static final long OPEN_TTL_NANOS = 1_000_000_000L;

  private DiskStorageServer(Builder b) throws StorageException {
    this.serverDir = b.serverDir.toAbsolutePath().normalize();
    this.storageDir = serverDir.resolve("storage");
    this.sharesDir = storageDir.resolve("shares");
    this.incomingDir = sharesDir.resolve("incoming");
    this.advisoryDir = storageDir.resolve("corruption-advisories");
    this.clock = b.clock;
    this.reservedSpace = b.reservedSpace;
    this.uploadIdleNanos = b.uploadIdleTimeout.toNanos();
    this.integrity = b.integrity;
    this.locality = b.locality;
    try {
      Files.createDirectories(sharesDir);
      Files.createDirectories(advisoryDir);
    } catch (IOException e) {
      throw DiskIo.map(e, serverDir + ": creating the storage directories");
    }
    try {
      this.fileStore = Files.getFileStore(sharesDir);
    } catch (IOException e) {
      throw DiskIo.map(e, serverDir + ": finding its file system");
    }
    this.id = ServerIdentity.loadOrCreate(serverDir);
    this.permutationSeed = ServerIdentity.permutationSeed(serverDir, id);
    FileChannel ch = null;
    FileLock lock = null;
    try {
      ch = FileChannel.open(storageDir.resolve(".lafs-repair.lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException heldHere) {
        lock = null;
      }
      if (lock != null) {
        wipeIncoming();
      } else {
        LOG.info("{}: another server holds the directory; leaving incoming/ alone", serverDir);
      }
      Files.createDirectories(incomingDir);
    } catch (IOException e) {
      closeQuietly(ch);
      throw DiskIo.map(e, serverDir + ": opening");
    }
    this.lockChannel = ch;
    this.dirLock = lock;
  }

  /** Opens (creating if needed) the server whose base directory is {@code serverDir}. */
  public static DiskStorageServer open(Path serverDir) throws StorageException {
    return builder(serverDir).build();
  }

  /** A builder for the server at {@code serverDir}. */
  public static Builder builder(Path serverDir) {
    return new Builder(serverDir);
  }

  /** Options of a {@link DiskStorageServer}. */
  public static final class Builder {
    private final Path serverDir;
    private Clock clock = Clock.systemUTC();
    private long reservedSpace;
    private Duration uploadIdleTimeout = Duration.ofMinutes(30);
    private MutableShareIntegrity integrity = MutableShareIntegrity.discovered();
    private Locality locality = Locality.LOCAL;

    private Builder(Path serverDir) {
      this.serverDir = Objects.requireNonNull(serverDir, "serverDir");
    }

    /** Clock for lease expiry times and advisory names (default the system UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Bytes of free disk space never to use (Tahoe's {@code reserved_space}). */
    public Builder reservedSpace(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("reserved space must be >= 0");
      }
      this.reservedSpace = bytes;
      return this;
    }

    /**
     * How publish authority judges whether a same-version mutable share is broken (default:
     * signature only, so such shares are never replaced; core supplies a full hash-tree check).
     */
    public Builder shareIntegrity(MutableShareIntegrity integrity) {
      this.integrity = Objects.requireNonNull(integrity, "integrity");
      return this;
    }

    /**
     * How long an upload may go without a write before the server discards it (Tahoe: 30
     * minutes), so a vanished client does not hold space and file handles forever.
     */
    public Builder uploadIdleTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("upload idle timeout must be positive");
      }
      this.uploadIdleTimeout = timeout;
      return this;
    }

    /**
     * What {@link #locality()} reports (default {@link Locality#LOCAL}). Say {@link
     * Locality#REMOTE} for a directory on a network file system that can hang (NFS, SMB, sshfs):
     * checkers then keep every call to this server on a worker thread behind a timeout.
     */
    public Builder locality(Locality locality) {
      this.locality = Objects.requireNonNull(locality, "locality");
      return this;
    }

    public DiskStorageServer build() throws StorageException {
      return new DiskStorageServer(this);
    }
  }

  /** The server's base directory (holding {@code my_nodeid} and {@code storage/}). */
  public Path directory() {
    return serverDir;
  }

  @Override
  public ServerId id() {
    return id;
  }

  @Override
  public byte[] permutationSeed() {
    return permutationSeed.clone();
  }

  @Override
  public String location() {
    return serverDir.toString();
  }

  /** {@link Locality#LOCAL} unless the builder said otherwise: see {@link Builder#locality}. */
  @Override
  public Locality locality() {
    return locality;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.REPLACE_IMMUTABLE, Capability.DELETE_SHARE, Capability.LEASES,
        Capability.PUBLISH_AUTHORITY);
  }

  // ------------------------------------------------------------------ paths

  private Path bucketDir(StorageIndex si) {
    String b = si.toBase32();
    return sharesDir.resolve(b.substring(0, 2) + "/" + b);
  }

  private Path sharePath(StorageIndex si, ShareNumber sh) {
    return bucketDir(si).resolve(Integer.toString(sh.value()));
  }

  private Path incomingPath(StorageIndex si, ShareNumber sh, String suffix) {
    return incomingDir.resolve(si.prefix()).resolve(si.toBase32()).resolve(sh.value() + suffix);
  }

  private String what(StorageIndex si, ShareNumber sh) {
    return serverDir + ": share " + si + "/" + sh.value();
  }

  // ------------------------------------------------------------------ reading

  /** A parsed container of either kind. */
  private record Parsed(ImmutableContainer.Header imm, MutableContainer.Header mut) {
    ShareKind kind() {
      return imm != null ? ShareKind.IMMUTABLE : ShareKind.MUTABLE;
    }

    long dataLength() {
      return imm != null ? imm.dataLength() : mut.dataLength();
    }
  }

  private static Parsed parse(FileChannel ch, String what) throws IOException, CorruptContainerException {
    return parse(ch, () -> what);
  }

  /**
   * Reads a container's header with one size query and one read (an immutable header lies
   * within the first 32 bytes); {@code what} is asked for only when a message is needed.
   */
  private static Parsed parse(FileChannel ch, Supplier<String> what) throws IOException, CorruptContainerException {
    long size = ch.size();
    byte[] first = DiskIo.readExactly(ch, 0, (int) Math.min(32, size), what);
    if (MutableContainer.version(first) != 0) {
      return new Parsed(null, MutableContainer.parse(ch, what.get()));
    }
    if (ImmutableContainer.isImmutable(first)) {
      return new Parsed(ImmutableContainer.parse(first, size, what), null);
    }
    throw new CorruptContainerException(what.get() + ": neither an immutable nor a mutable container ("
        + size + " bytes)");
  }

  private List<ShareNumber> shareNumbers(StorageIndex si) throws StorageException {
    return shareNumbers(si, bucketDir(si));
  }

  private List<ShareNumber> shareNumbers(StorageIndex si, Path dir) throws StorageException {
    // Most servers hold no share of a given storage index. File.list says so with a null, where a
    // directory stream throws NoSuchFileException (stack trace included): ten times the cost.
    String[] names = dir.toFile().list();
    if (names == null) {
      return Files.exists(dir) ? shareNumbersOrError(si, dir) : List.of();
    }
    List<ShareNumber> out = new ArrayList<>(names.length);
    for (String name : names) {
      addShareNumber(out, dir, name);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** The directory exists but could not be listed: list it again to learn and report why. */
  private List<ShareNumber> shareNumbersOrError(StorageIndex si, Path dir) throws StorageException {
    List<ShareNumber> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        addShareNumber(out, dir, p.getFileName().toString());
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw DiskIo.map(e, serverDir + ": listing " + si);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private void addShareNumber(List<ShareNumber> out, Path dir, String name) {
    if (SHNUM.matcher(name).matches() && Integer.parseInt(name) <= ShareNumber.MAX) {
      out.add(ShareNumber.of(Integer.parseInt(name)));
    } else if (!name.startsWith(".")) {
      LOG.warn("{}: ignoring {} (not a share number)", serverDir, dir.resolve(name));
    }
  }

  @Override
  public List<ShareInfo> listShares(StorageIndex si) throws StorageException {
    Objects.requireNonNull(si, "si");
    checkOpen();
    Lock l = locks.get(si).readLock();
    l.lock();
    try {
      Path bucket = bucketDir(si);
      List<ShareNumber> shares = shareNumbers(si, bucket);
      if (shares.isEmpty()) {
        return List.of();
      }
      List<ShareInfo> out = new ArrayList<>(shares.size());
      for (ShareNumber sh : shares) {
        Supplier<String> what = () -> what(si, sh);
        try (FileChannel ch = FileChannel.open(bucket.resolve(Integer.toString(sh.value())), READ_ONLY)) {
          Parsed p = parse(ch, what);
          out.add(new ShareInfo(sh, p.kind(), p.dataLength()));
        } catch (NoSuchFileException gone) {
          continue;
        } catch (CorruptContainerException e) {
          // Still listed, so the checker reads it, gets the typed error and reports it corrupt.
          LOG.warn("{}", e.getMessage());
          out.add(new ShareInfo(sh, ShareKind.IMMUTABLE, 0));
        } catch (IOException e) {
          throw DiskIo.map(e, what.get());
        }
      }
      return out;
    } finally {
      l.unlock();
    }
  }

  @Override
  public ByteBuffer read(StorageIndex si, ShareNumber shnum, long offset, int length)
      throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    checkRead(offset, length);
    checkOpen();
    Lock l = locks.get(si).readLock();
    l.lock();
    try {
      // A fresh buffer the caller owns: left writable (array-backed) so that hashing and CRCs
      // read its array directly instead of copying it through a scratch array.
      return readShare(si, shnum, offset, length);
    } finally {
      l.unlock();
    }
  }

  /** Reads through the open-share cache; the caller holds the storage index's lock. */
  private ByteBuffer readShare(StorageIndex si, ShareNumber shnum, long offset, int length)
      throws StorageException {
    Path file = sharePath(si, shnum);
    for (int attempt = 0; ; attempt++) {
      Open o = null;
      try {
        o = cachedOpen(file, si, shnum);
        Parsed p = o.parsed();
        return p.imm() != null
            ? ImmutableContainer.read(o.channel(), p.imm(), offset, length)
            : MutableContainer.read(o.channel(), p.mut(), offset, length);
      } catch (NoSuchFileException e) {
        throw new ShareNotFoundException(what(si, shnum) + " does not exist");
      } catch (java.nio.channels.ClosedChannelException e) {
        // Evicted, or closed by an interrupted reader elsewhere: open it afresh once.
        forget(file, o);
        if (attempt > 0 || Thread.currentThread().isInterrupted()) {
          throw new ServerUnavailableException(what(si, shnum) + ": read interrupted", e);
        }
      } catch (IOException e) {
        forget(file, o);
        throw DiskIo.map(e, what(si, shnum));
      }
    }
  }

  private Open cachedOpen(Path file, StorageIndex si, ShareNumber shnum)
      throws IOException, CorruptContainerException {
    long now = System.nanoTime();
    synchronized (openShares) {
      Open o = openShares.get(file);
      // A size change means another process rewrote the file: parse it again.
      if (o != null && now - o.openedNanos() < OPEN_TTL_NANOS && o.channel().isOpen()
          && o.channel().size() == o.size()) {
        return o;
      }
      if (o != null) {
        openShares.remove(file);
        closeQuietly(o.channel());
      }
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    Open fresh;
    try {
      fresh = new Open(ch, parse(ch, what(si, shnum)), ch.size(), now);
    } catch (IOException | CorruptContainerException | RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
    synchronized (openShares) {
      Open old = openShares.put(file, fresh);
      if (old != null) {
        closeQuietly(old.channel());
      }
      if (openShares.size() > OPEN_CACHE_SIZE) {
        var it = openShares.entrySet().iterator();
        Open eldest = it.next().getValue();
        it.remove();
        closeQuietly(eldest.channel());
      }
    }
    return fresh;
  }

  private void forget(Path file, Open o) {
    synchronized (openShares) {
      if (o != null && openShares.get(file) == o) {
        openShares.remove(file);
      }
    }
    if (o != null) {
      closeQuietly(o.channel());
    }
  }

  /** Drops cached channels of {@code si}; called with its write lock held, before any change. */
  private void invalidate(StorageIndex si) {
    Path bucket = bucketDir(si);
    synchronized (openShares) {
      var it = openShares.entrySet().iterator();
      while (it.hasNext()) {
        var e = it.next();
        if (e.getKey().startsWith(bucket)) {
          closeQuietly(e.getValue().channel());
          it.remove();
        }
      }
    }
  }

  @Override
  public Map<ShareNumber, List<byte[]>> readVectors(
      StorageIndex si, Set<ShareNumber> shnums, List<ReadVector> vectors) throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnums, "shnums");
    for (ReadVector v : vectors) {
      checkRead(v.offset(), v.length());
    }
    checkOpen();
    Lock l = locks.get(si).readLock();
    l.lock();
    try {
      Map<ShareNumber, List<byte[]>> out = new LinkedHashMap<>();
      for (ShareNumber sh : shareNumbers(si)) {
        if (!shnums.isEmpty() && !shnums.contains(sh)) {
          continue;
        }
        String what = what(si, sh);
        try (FileChannel ch = FileChannel.open(sharePath(si, sh), StandardOpenOption.READ)) {
          Parsed p = parse(ch, what);
          List<byte[]> r = new ArrayList<>(vectors.size());
          for (ReadVector v : vectors) {
            ByteBuffer b = p.imm() != null
                ? ImmutableContainer.read(ch, p.imm(), v.offset(), v.length())
                : MutableContainer.read(ch, p.mut(), v.offset(), v.length());
            r.add(b.array());
          }
          out.put(sh, r);
        } catch (NoSuchFileException gone) {
          continue;
        } catch (CorruptContainerException e) {
          // One damaged container must not hide the others: it reads as empty, which every
          // verifier rejects, and read() on it names the damage.
          LOG.warn("{}", e.getMessage());
          List<byte[]> empty = new ArrayList<>(vectors.size());
          for (int i = 0; i < vectors.size(); i++) {
            empty.add(new byte[0]);
          }
          out.put(sh, empty);
        } catch (IOException e) {
          throw DiskIo.map(e, what);
        }
      }
      return out;
    } finally {
      l.unlock();
    }
  }

  // ------------------------------------------------------------------ immutable uploads

  @Override
  public ImmutableUpload allocate(StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease)
      throws StorageException {
    return startUpload(si, shnum, allocatedSize, lease, false);
  }

  @Override
  public ImmutableUpload replaceImmutable(
      StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease) throws StorageException {
    return startUpload(si, shnum, allocatedSize, lease, true);
  }

  private ImmutableUpload startUpload(
      StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease, boolean replace)
      throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(lease, "lease");
    if (allocatedSize < 0) {
      throw new InvalidRequestException("allocated size must be >= 0, got " + allocatedSize);
    }
    if (allocatedSize > Long.MAX_VALUE - ImmutableContainer.HEADER_SIZE - Leases.IMMUTABLE_LEASE_SIZE) {
      throw new OutOfSpaceException(serverDir + ": " + allocatedSize + " bytes can never fit");
    }
    checkOpen();
    discardIdleUploads();
    String what = what(si, shnum);
    Key key = new Key(si, shnum);
    Lock l = locks.get(si).writeLock();
    l.lock();
    try {
      Path fin = sharePath(si, shnum);
      if (replace) {
        Parsed p = parseExisting(fin, what);
        if (p == null || p.kind() != ShareKind.IMMUTABLE) {
          throw new ShareNotFoundException(what + ": no immutable share to replace");
        }
      } else if (Files.exists(fin)) {
        throw new ShareConflictException(what + " already exists");
      }
      Path inc = incomingPath(si, shnum, "");
      if (uploads.containsKey(key) || Files.exists(inc)) {
        throw new ShareConflictException(what + " is already being uploaded");
      }
      long available = available();
      if (allocatedSize > available) {
        throw new OutOfSpaceException(
            what + ": " + allocatedSize + " bytes requested, " + available + " available");
      }
      DiskUpload u = new DiskUpload(key, inc, allocatedSize, lease, replace);
      uploads.put(key, u);
      u.prepareBucket();
      return u;
    } finally {
      l.unlock();
    }
  }

  private static Parsed parseExisting(Path file, String what) throws StorageException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return parse(ch, what);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw DiskIo.map(e, what);
    }
  }

  private void discardIdleUploads() {
    long now = System.nanoTime();
    for (DiskUpload u : List.copyOf(uploads.values())) {
      if (now - u.lastActivityNanos > uploadIdleNanos) {
        LOG.info("{}: discarding upload of {}/{} idle for too long", serverDir, u.key.si(), u.key.shnum().value());
        u.discard();
      }
    }
  }

  private long pendingAllocations() {
    long sum = 0;
    for (DiskUpload u : uploads.values()) {
      sum += u.allocatedSize;
      if (sum < 0) {
        return Long.MAX_VALUE;
      }
    }
    return sum;
  }

  private long available() throws StorageException {
    try {
      long usable = fileStore.getUsableSpace();
      return Math.max(0, usable - reservedSpace - pendingAllocations());
    } catch (IOException e) {
      throw DiskIo.map(e, serverDir + ": reading free space");
    }
  }

  /**
   * Written bytes after which an upload starts flushing them in the background. Small, so that
   * commit's fsync finds little left to write: a repair writing four 22 MB shares at once spent
   * ~8 ms less committing and reading back with 1 MiB than with 4 MiB on this project's VM (and
   * 20 ms more with 8 MiB). It throttles itself on a slow disk: an upload never has more than one
   * flush in flight, so further bytes just wait for the next one.
   */
  static final long WRITEBACK_BYTES = 1L << 20;

  private final class DiskUpload implements ImmutableUpload {
    private final Key key;
    private final Path path;
    private final long allocatedSize;
    private final LeaseSecrets lease;
    private final boolean replace;
    private final RangeSet<Long> written = TreeRangeSet.create();
    private FileChannel ch;
    private CompletableFuture<Void> bucketSync;
    private boolean createdBucket;
    private volatile long lastActivityNanos = System.nanoTime();
    /** Bytes written since the last background write-back was started. */
    private long unflushed;
    private CompletableFuture<Void> writeback;
    private boolean committed;
    private boolean aborted;

    DiskUpload(Key key, Path path, long allocatedSize, LeaseSecrets lease, boolean replace)
        throws StorageException {
      this.key = key;
      this.path = path;
      this.allocatedSize = allocatedSize;
      this.lease = lease;
      this.replace = replace;
      try {
        Files.createDirectories(path.getParent());
        ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        // As Tahoe: the header, then at once one lease (owner 0) just past the allocated data.
        DiskIo.writeFully(ch, 0, ByteBuffer.wrap(ImmutableContainer.header(allocatedSize, 1)));
        DiskIo.writeFully(ch, ImmutableContainer.HEADER_SIZE + allocatedSize,
            ByteBuffer.wrap(ImmutableContainer.leaseRecord(0, Leases.blake2b256(lease.renewSecret()),
                Leases.blake2b256(lease.cancelSecret()), Leases.expiry(nowSeconds()))));
      } catch (FileAlreadyExistsException e) {
        throw new ShareConflictException(what() + " is already being uploaded", e);
      } catch (IOException e) {
        closeQuietly(ch);
        deleteQuietly(path);
        throw DiskIo.map(e, what() + ": starting upload");
      }
    }

    private String what() {
      return DiskStorageServer.this.what(key.si(), key.shnum());
    }

    /**
     * Makes the final bucket directory now, as Tahoe's allocate does, and makes its entry durable
     * in the background while data arrives, so commit waits only for the file and the rename.
     * Called with the storage index's write lock held.
     */
    void prepareBucket() throws StorageException {
      Path bucket = bucketDir(key.si());
      if (Files.isDirectory(bucket)) {
        return;
      }
      boolean newPrefix = !Files.isDirectory(bucket.getParent());
      try {
        Files.createDirectories(bucket);
      } catch (IOException e) {
        discard();
        throw DiskIo.map(e, what() + ": creating its directory");
      }
      createdBucket = true;
      List<Path> parents = newPrefix ? List.of(bucket.getParent(), sharesDir) : List.of(bucket.getParent());
      bucketSync = CompletableFuture.runAsync(() -> {
        try {
          DiskIo.fsyncDirectories(parents, syncExecutor);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, syncExecutor);
    }

    private void awaitBucketSync() throws IOException {
      if (bucketSync == null) {
        return;
      }
      try {
        bucketSync.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof java.io.UncheckedIOException u) {
          throw u.getCause();
        }
        throw new IOException("directory fsync failed", e.getCause());
      }
    }

    @Override
    public ShareNumber shareNumber() {
      return key.shnum();
    }

    @Override
    public long allocatedSize() {
      return allocatedSize;
    }

    @Override
    public synchronized void write(long offset, ByteBuffer data) throws StorageException {
      Objects.requireNonNull(data, "data");
      if (offset < 0) {
        throw new InvalidRequestException("write offset must be >= 0, got " + offset);
      }
      int n = data.remaining();
      if (offset > allocatedSize - n) {
        throw new ShareConflictException(what() + ": write of " + n + " bytes at " + offset
            + " ends past the allocated size " + allocatedSize);
      }
      checkActive();
      lastActivityNanos = System.nanoTime();
      try {
        Range<Long> r = Range.closedOpen(offset, offset + n);
        for (Range<Long> have : written.subRangeSet(r).asRanges()) {
          long s = have.lowerEndpoint();
          int len = (int) (have.upperEndpoint() - s);
          ByteBuffer existing = ByteBuffer.allocate(len);
          DiskIo.readFully(ch, ImmutableContainer.HEADER_SIZE + s, existing);
          existing.flip();
          ByteBuffer incoming = data.duplicate();
          incoming.position(incoming.position() + (int) (s - offset)).limit(incoming.position() + len);
          if (!existing.equals(incoming)) {
            throw new ShareConflictException(
                what() + ": write at " + s + ".." + (s + len) + " differs from bytes already written");
          }
        }
        DiskIo.writeFully(ch, ImmutableContainer.HEADER_SIZE + offset, data.duplicate());
        if (n > 0) {
          written.add(r);
        }
        startWritebackIfDue(n);
      } catch (IOException e) {
        throw DiskIo.map(e, what() + ": writing");
      }
    }

    /**
     * Large shares: every {@link #WRITEBACK_BYTES} written, the data so far is flushed to disk in
     * the background, so commit's fsync waits for the last stretch only instead of the whole share
     * (the disk writes while the caller computes the next blocks). Durability still comes from
     * commit's own fsync alone.
     */
    private void startWritebackIfDue(int n) {
      unflushed += n;
      if (unflushed < WRITEBACK_BYTES || (writeback != null && !writeback.isDone())) {
        return;
      }
      unflushed = 0;
      FileChannel c = ch;
      try {
        writeback = CompletableFuture.runAsync(() -> {
          try {
            c.force(false);
          } catch (IOException | RuntimeException e) {
            // Only an early start: a failing disk is reported by commit's own fsync.
            LOG.debug("{}: background write-back failed: {}", what(), e.toString());
          }
        }, syncExecutor);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        writeback = null; // server closing: commit's fsync does it all
      }
    }

    /** Lets a running background write-back finish before the channel is forced or closed. */
    private void awaitWriteback() {
      if (writeback != null) {
        writeback.join();
        writeback = null;
      }
    }

    @Override
    public synchronized void commit() throws StorageException {
      if (committed) {
        return;
      }
      awaitWriteback();
      checkActive();
      checkOpen();
      Lock l = locks.get(key.si()).writeLock();
      l.lock();
      try {
        invalidate(key.si());
        Path fin = sharePath(key.si(), key.shnum());
        if (replace) {
          carryLeasesFrom(fin);
        } else if (Files.exists(fin)) {
          throw new ShareConflictException(what() + " appeared during the upload");
        }
        ch.force(true);
        ch.close();
        Path bucket = fin.getParent();
        boolean newPrefix = !Files.isDirectory(bucket.getParent());
        boolean newBucket = !Files.isDirectory(bucket);
        Files.createDirectories(bucket);
        Files.move(path, fin, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncNewEntries(bucket, newBucket, newPrefix);
        awaitBucketSync();
        committed = true;
        uploads.remove(key);
        tidyIncomingLater(key.si(), path);
      } catch (IOException e) {
        throw DiskIo.map(e, what() + ": committing");
      } finally {
        l.unlock();
      }
    }

    /** Replace keeps the old share's leases (v1 secrets are hashed into v2 form) plus ours. */
    private void carryLeasesFrom(Path fin) throws IOException, StorageException {
      List<ImmutableContainer.Lease> merged = new ArrayList<>();
      try (FileChannel old = FileChannel.open(fin, StandardOpenOption.READ)) {
        ImmutableContainer.Header h = ImmutableContainer.parse(old, what());
        for (ImmutableContainer.Lease lz : ImmutableContainer.readLeases(old, h, what())) {
          merged.add(h.hashedSecrets() ? lz : new ImmutableContainer.Lease(lz.owner(),
              Leases.blake2b256(lz.renew()), Leases.blake2b256(lz.cancel()), lz.expiry()));
        }
      } catch (NoSuchFileException e) {
        throw new ShareConflictException(what() + " vanished during the replacement", e);
      } catch (CorruptContainerException e) {
        LOG.warn("{}: old container unreadable, its leases are lost: {}", what(), e.getMessage());
      }
      byte[] ours = Leases.blake2b256(lease.renewSecret());
      long expiry = Leases.expiry(nowSeconds());
      boolean renewed = false;
      for (int i = 0; i < merged.size(); i++) {
        ImmutableContainer.Lease lz = merged.get(i);
        if (java.security.MessageDigest.isEqual(lz.renew(), ours)) {
          merged.set(i, new ImmutableContainer.Lease(lz.owner(), lz.renew(), lz.cancel(),
              Math.max(expiry, lz.expiry())));
          renewed = true;
        }
      }
      if (!renewed) {
        merged.add(new ImmutableContainer.Lease(0, ours, Leases.blake2b256(lease.cancelSecret()), expiry));
      }
      long at = ImmutableContainer.HEADER_SIZE + allocatedSize;
      ch.truncate(at);
      ByteBuffer all = ByteBuffer.allocate(merged.size() * Leases.IMMUTABLE_LEASE_SIZE);
      for (ImmutableContainer.Lease lz : merged) {
        all.put(ImmutableContainer.leaseRecord(lz.owner(), lz.renew(), lz.cancel(), lz.expiry()));
      }
      all.flip();
      DiskIo.writeFully(ch, at, all);
      DiskIo.writeFully(ch, 8, ByteBuffer.allocate(4).putInt(0, merged.size()));
    }

    @Override
    public synchronized void abort() throws StorageException {
      if (committed) {
        throw new ShareConflictException(what() + ": upload already committed");
      }
      discard();
    }

    @Override
    public synchronized void close() {
      if (!committed) {
        discard();
      }
    }

    synchronized void discard() {
      awaitWriteback();
      if (aborted) {
        return;
      }
      aborted = true;
      closeQuietly(ch);
      deleteQuietly(path);
      removeEmptyIncomingDirs(path);
      uploads.remove(key, this);
      if (createdBucket) {
        // Harmless if another upload or a share lives there now: only an empty one goes.
        removeEmptyBucket(bucketDir(key.si()));
      }
    }

    private void checkActive() throws ShareConflictException {
      if (aborted) {
        throw new ShareConflictException(what() + ": upload was aborted");
      }
      if (committed) {
        throw new ShareConflictException(what() + ": upload already committed");
      }
    }
  }

  /**
   * Makes a rename into {@code bucket} durable, and the bucket and prefix directories too when
   * they were just made; the fsyncs run together.
   */
  private void syncNewEntries(Path bucket, boolean newBucket, boolean newPrefix) throws IOException {
    List<Path> dirs = new ArrayList<>(3);
    dirs.add(bucket);
    if (newBucket) {
      dirs.add(bucket.getParent());
    }
    if (newPrefix) {
      dirs.add(sharesDir);
    }
    DiskIo.fsyncDirectories(dirs, syncExecutor);
  }

  /**
   * Removes the upload's incoming directory off the commit's critical path (its journal work would
   * otherwise land in the commit's directory fsync). Takes the storage index's write lock, which
   * allocation holds while it makes that directory and the file in it.
   */
  private void tidyIncomingLater(StorageIndex si, Path file) {
    try {
      syncExecutor.execute(() -> {
        Lock l = locks.get(si).writeLock();
        l.lock();
        try {
          removeEmptyIncomingDirs(file);
        } finally {
          l.unlock();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      removeEmptyIncomingDirs(file);
    }
  }

  /**
   * Removes the upload's now-empty {@code incoming/<p>/<si>} directory. The prefix level (at most
   * 1024 directories) is kept: removing and remaking it for every upload only adds journal work
   * to each commit, and {@code incoming/} is wiped at every start anyway.
   */
  private void removeEmptyIncomingDirs(Path file) {
    Path bucket = file.getParent();
    if (bucket == null || bucket.getParent() == null || !bucket.getParent().getParent().equals(incomingDir)) {
      return;
    }
    try {
      Files.deleteIfExists(bucket);
    } catch (DirectoryNotEmptyException e) {
      // Another upload of the same storage index is in progress.
    } catch (IOException e) {
      LOG.debug("{}: could not remove {}: {}", serverDir, bucket, e.toString());
    }
  }

  // ------------------------------------------------------------------ mutable

  @Override
  public TestAndWriteResult testAndWrite(
      StorageIndex si,
      WriteEnabler enabler,
      Map<ShareNumber, ShareTestAndWrite> writes,
      List<ReadVector> readVector,
      LeaseSecrets lease)
      throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(enabler, "enabler");
    Objects.requireNonNull(writes, "writes");
    Objects.requireNonNull(readVector, "readVector");
    Objects.requireNonNull(lease, "lease");
    for (ReadVector v : readVector) {
      checkRead(v.offset(), v.length());
    }
    for (ShareTestAndWrite tw : writes.values()) {
      checkMutableWrite(tw);
    }
    checkOpen();
    Lock l = locks.get(si).writeLock();
    l.lock();
    try {
      invalidate(si);
      // Step 1 (§8.3): the write enabler against every existing share, before anything else.
      Map<ShareNumber, MutableContainer.Header> existing = new TreeMap<>();
      for (ShareNumber sh : shareNumbers(si)) {
        String what = what(si, sh);
        Parsed p = parseExisting(sharePath(si, sh), what);
        if (p == null) {
          continue;
        }
        if (p.kind() != ShareKind.MUTABLE) {
          throw new ShareConflictException(what + " is immutable; mutable writes refused");
        }
        if (!PublishAuthority.enablerMatches(enabler, p.mut().writeEnabler())) {
          throw new WriteEnablerMismatchException(what + ": bad write enabler; it was recorded by node "
              + org.lafsrepair.spi.Base32.encode(p.mut().nodeId()));
        }
        existing.put(sh, p.mut());
      }
      // Step 2: tests, on truncated data; a missing share reads as empty.
      boolean ok = true;
      for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
        MutableContainer.Header h = existing.get(e.getKey());
        for (TestVector t : e.getValue().tests()) {
          byte[] actual = h == null ? new byte[0]
              : readMutable(si, e.getKey(), h, t.offset(), testReadLength(t));
          if (!t.matches(actual)) {
            ok = false;
            break;
          }
        }
        if (!ok) {
          break;
        }
      }
      // Step 3: read vectors on every existing share, before any write.
      Map<ShareNumber, List<byte[]>> reads = new LinkedHashMap<>();
      for (Map.Entry<ShareNumber, MutableContainer.Header> e : existing.entrySet()) {
        List<byte[]> r = new ArrayList<>(readVector.size());
        for (ReadVector v : readVector) {
          r.add(readMutable(si, e.getKey(), e.getValue(), v.offset(), v.length()));
        }
        reads.put(e.getKey(), r);
      }
      if (!ok) {
        return new TestAndWriteResult(false, reads);
      }
      long growth = 0;
      for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
        MutableContainer.Header h = existing.get(e.getKey());
        long cur = h == null ? 0 : h.dataLength();
        growth += Math.max(0, resultingLength(cur, e.getValue()) - cur)
            + (h == null ? MutableContainer.DATA_OFFSET + 4 : 0);
      }
      long available = available();
      if (growth > available) {
        throw new OutOfSpaceException(serverDir + ": mutable write to " + si + " needs " + growth
            + " bytes, " + available + " available");
      }
      // Step 4 and 5: apply per share, then add or renew the lease (owner 1).
      for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
        applyMutable(si, e.getKey(), existing.get(e.getKey()), e.getValue(), enabler, lease);
      }
      return new TestAndWriteResult(true, reads);
    } finally {
      l.unlock();
    }
  }

  // ------------------------------------------------------------------ publish authority

  /** The mutable shares of a slot with their headers (caller holds the write lock). */
  private Map<ShareNumber, MutableContainer.Header> mutableSlot(StorageIndex si) throws StorageException {
    Map<ShareNumber, MutableContainer.Header> existing = new TreeMap<>();
    for (ShareNumber sh : shareNumbers(si)) {
      String what = what(si, sh);
      Parsed p = parseExisting(sharePath(si, sh), what);
      if (p == null) {
        continue;
      }
      if (p.kind() != ShareKind.MUTABLE) {
        throw new ShareConflictException(what + " is immutable; mutable writes refused");
      }
      existing.put(sh, p.mut());
    }
    return existing;
  }

  private SlotView slotView(StorageIndex si, Map<ShareNumber, MutableContainer.Header> existing) {
    return new SlotView() {
      @Override
      public Set<ShareNumber> shares() {
        return existing.keySet();
      }

      @Override
      public ByteBuffer read(ShareNumber shnum, long offset, int length) throws StorageException {
        return ByteBuffer.wrap(readMutable(si, shnum, existing.get(shnum), offset, length));
      }

      @Override
      public long length(ShareNumber shnum) {
        return existing.get(shnum).dataLength();
      }
    };
  }

  @Override
  public PublicationResult publishMutableShare(MutableSharePublication p, LeaseSecrets lease)
      throws StorageException {
    Objects.requireNonNull(p, "publication");
    Objects.requireNonNull(lease, "lease");
    checkOpen();
    StorageIndex si = p.storageIndex();
    Lock l = locks.get(si).writeLock();
    l.lock();
    try {
      // A publication may replace a share file: cached read channels would see the old inode.
      invalidate(si);
      Map<ShareNumber, MutableContainer.Header> existing = mutableSlot(si);
      byte[] enabler = existing.isEmpty() ? null : existing.values().iterator().next().writeEnabler();
      PublishAuthority.Decision d =
          PublishAuthority.decidePublish(p, slotView(si, existing), enabler, integrity);
      MutableContainer.Header old = existing.get(p.shareNumber());
      long growth = p.length() - (old == null ? -MutableContainer.DATA_OFFSET - 4 : old.dataLength());
      if (d.write() && growth > available()) {
        throw new OutOfSpaceException(serverDir + ": publication to " + si + " needs " + growth
            + " bytes");
      }
      // The whole share replaces the old data (new length = EOF), and a new container records the
      // slot's enabler (or the unbound one); an existing container keeps its own.
      ShareTestAndWrite tw = new ShareTestAndWrite(List.of(),
          d.write() ? List.of(new WriteVector(0, bytes(p.share()))) : List.of(),
          d.write() ? java.util.OptionalLong.of(p.length()) : java.util.OptionalLong.empty());
      applyMutable(si, p.shareNumber(), old, tw, WriteEnabler.of(d.write() && old == null
          ? d.enablerToRecord() : old.writeEnabler()), lease);
      return d.result();
    } finally {
      l.unlock();
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Override
  public void rebindWriteEnabler(WriteEnablerRebind rebind) throws StorageException {
    Objects.requireNonNull(rebind, "rebind");
    checkOpen();
    StorageIndex si = rebind.storageIndex();
    Lock l = locks.get(si).writeLock();
    l.lock();
    try {
      invalidate(si);
      Map<ShareNumber, MutableContainer.Header> existing = mutableSlot(si);
      PublishAuthority.checkRebind(rebind, id, slotView(si, existing));
      for (ShareNumber sh : existing.keySet()) {
        try (FileChannel ch = FileChannel.open(sharePath(si, sh), StandardOpenOption.WRITE)) {
          // Container bytes 32..84: the node id that accepted the enabler, then the enabler.
          DiskIo.writeFully(ch, 32, ByteBuffer.wrap(id.toBytes()));
          DiskIo.writeFully(ch, 52, ByteBuffer.wrap(rebind.enabler().toBytes()));
          ch.force(true);
        } catch (IOException e) {
          throw DiskIo.map(e, what(si, sh) + ": rebinding the write enabler");
        }
      }
    } finally {
      l.unlock();
    }
  }

  private byte[] readMutable(StorageIndex si, ShareNumber sh, MutableContainer.Header h, long offset, int length)
      throws StorageException {
    try (FileChannel ch = FileChannel.open(sharePath(si, sh), StandardOpenOption.READ)) {
      return MutableContainer.read(ch, h, offset, length).array();
    } catch (IOException e) {
      throw DiskIo.map(e, what(si, sh));
    }
  }

  private void applyMutable(StorageIndex si, ShareNumber sh, MutableContainer.Header old,
      ShareTestAndWrite tw, WriteEnabler enabler, LeaseSecrets lease) throws StorageException {
    String what = what(si, sh);
    Path fin = sharePath(si, sh);
    Path bucket = fin.getParent();
    try {
      if (tw.newLength().isPresent() && tw.newLength().getAsLong() == 0) {
        if (old != null) {
          Files.deleteIfExists(fin);
          DiskIo.fsyncDirectory(bucket);
          removeEmptyBucket(bucket);
        }
        return;
      }
      if (old != null && old.dataLength() > COPY_ON_WRITE_LIMIT) {
        try (FileChannel ch = FileChannel.open(fin, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          applyTo(ch, old, tw, lease);
          ch.force(true);
        }
        return;
      }
      Path tmp = incomingPath(si, sh, ".mutable");
      Files.createDirectories(tmp.getParent());
      Files.deleteIfExists(tmp);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        MutableContainer.Header h;
        if (old == null) {
          DiskIo.writeFully(ch, 0, ByteBuffer.wrap(MutableContainer.newContainer(id.toBytes(), enabler.toBytes())));
          h = MutableContainer.parse(ch, what);
        } else {
          try (FileChannel src = FileChannel.open(fin, StandardOpenOption.READ)) {
            MutableContainer.copy(src, old, ch);
          }
          h = old;
        }
        applyTo(ch, h, tw, lease);
        ch.force(true);
      } catch (IOException | StorageException e) {
        deleteQuietly(tmp);
        throw e;
      }
      boolean newPrefix = !Files.isDirectory(bucket.getParent());
      boolean newBucket = !Files.isDirectory(bucket);
      Files.createDirectories(bucket);
      Files.move(tmp, fin, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncNewEntries(bucket, newBucket, newPrefix);
      removeEmptyIncomingDirs(tmp);
    } catch (IOException e) {
      throw DiskIo.map(e, what + ": mutable write");
    }
  }

  private void applyTo(FileChannel ch, MutableContainer.Header h, ShareTestAndWrite tw, LeaseSecrets lease)
      throws IOException, CorruptContainerException {
    MutableContainer.Header cur = h;
    for (WriteVector w : tw.writes()) {
      cur = MutableContainer.writeData(ch, cur, w.offset(), w.data());
    }
    if (tw.newLength().isPresent()) {
      cur = MutableContainer.truncate(ch, cur, tw.newLength().getAsLong());
    }
    MutableContainer.addOrRenewLease(ch, cur, lease.renewSecret(), lease.cancelSecret(),
        Leases.expiry(nowSeconds()), id.toBytes());
  }

  private void removeEmptyBucket(Path bucket) {
    try {
      Files.deleteIfExists(bucket);
      DiskIo.fsyncDirectory(bucket.getParent());
    } catch (DirectoryNotEmptyException e) {
      // Other shares remain.
    } catch (IOException e) {
      LOG.debug("{}: could not remove {}: {}", serverDir, bucket, e.toString());
    }
  }

  // ------------------------------------------------------------------ advisories, space, leases

  @Override
  public void adviseCorrupt(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason)
      throws StorageException {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(reason, "reason");
    checkOpen();
    if (!Files.exists(sharePath(si, shnum))) {
      LOG.info("{}: discarding corruption advice for {}/{} which is not here", serverDir, si, shnum.value());
      return;
    }
    String bounded = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
    LOG.warn("{}: client claims corruption in ({}) {}-{}: {}", serverDir,
        kind == ShareKind.IMMUTABLE ? "immutable" : "mutable", si, shnum.value(),
        bounded.length() > 200 ? bounded.substring(0, 200) + "..." : bounded);
    byte[] report = renderReport(kind, si, shnum, bounded).getBytes(StandardCharsets.UTF_8);
    if (report.length > available()) {
      LOG.warn("{}: no room for a corruption report", serverDir);
      return;
    }
    Path target = advisoryDir.resolve(advisoryName(LocalDateTime.now(clock.withZone(ZoneOffset.UTC)), si, shnum));
    Path tmp = advisoryDir.resolve("." + target.getFileName() + ".tmp");
    try {
      Files.createDirectories(advisoryDir);
      Files.write(tmp, report);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw DiskIo.map(e, serverDir + ": writing a corruption advisory");
    }
  }

  /** Tahoe's {@code CORRUPTION_REPORT_FORMAT}. */
  static String renderReport(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason) {
    return "report: Share Corruption\n"
        + "type: " + (kind == ShareKind.IMMUTABLE ? "immutable" : "mutable") + "\n"
        + "storage_index: " + si.toBase32() + "\n"
        + "share_number: " + shnum.value() + "\n"
        + "\n"
        + reason + "\n"
        + "\n";
  }

  /**
   * Tahoe's report name: Python's {@code datetime.isoformat("T")} of the UTC time (microseconds
   * only when non-zero) with every ':' removed, then {@code --<si>-<shnum>}.
   */
  static String advisoryName(LocalDateTime utc, StorageIndex si, ShareNumber shnum) {
    String t = String.format("%04d-%02d-%02dT%02d%02d%02d", utc.getYear(), utc.getMonthValue(),
        utc.getDayOfMonth(), utc.getHour(), utc.getMinute(), utc.getSecond());
    int micros = utc.getNano() / 1000;
    if (micros != 0) {
      t += String.format(".%06d", micros);
    }
    return t + "--" + si.toBase32() + "-" + shnum.value();
  }

  @Override
  public SpaceInfo space() throws StorageException {
    checkOpen();
    long a = available();
    return new SpaceInfo(a, a, MAX_MUTABLE_SHARE_SIZE);
  }

  @Override
  public void deleteShare(StorageIndex si, ShareNumber shnum, ShareKind kind) throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(kind, "kind");
    checkOpen();
    String what = what(si, shnum);
    Lock l = locks.get(si).writeLock();
    l.lock();
    try {
      invalidate(si);
      Path fin = sharePath(si, shnum);
      Parsed p;
      try {
        p = parseExisting(fin, what);
      } catch (CorruptContainerException e) {
        // A container too damaged to tell its kind may be deleted as either.
        p = new Parsed(null, null);
      }
      if (p == null || (p.imm() != null && kind != ShareKind.IMMUTABLE)
          || (p.mut() != null && kind != ShareKind.MUTABLE)) {
        throw new ShareNotFoundException(what + ": no " + kind.name().toLowerCase(java.util.Locale.ROOT)
            + " share to delete");
      }
      Files.delete(fin);
      DiskIo.fsyncDirectory(fin.getParent());
      removeEmptyBucket(fin.getParent());
    } catch (NoSuchFileException e) {
      throw new ShareNotFoundException(what + " does not exist", e);
    } catch (IOException e) {
      throw DiskIo.map(e, what + ": deleting");
    } finally {
      l.unlock();
    }
  }

  @Override
  public void addLease(StorageIndex si, LeaseSecrets lease) throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(lease, "lease");
    checkOpen();
    Lock l = locks.get(si).writeLock();
    l.lock();
    try {
      invalidate(si);
      List<ShareNumber> shares = shareNumbers(si);
      if (shares.isEmpty()) {
        throw new ShareNotFoundException(serverDir + ": no shares of " + si + " to lease");
      }
      long expiry = Leases.expiry(nowSeconds());
      for (ShareNumber sh : shares) {
        String what = what(si, sh);
        try (FileChannel ch = FileChannel.open(sharePath(si, sh), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
          Parsed p = parse(ch, what);
          if (p.imm() != null) {
            ImmutableContainer.addOrRenewLease(ch, p.imm(), 1, lease.renewSecret(), lease.cancelSecret(),
                expiry, what);
          } else {
            MutableContainer.addOrRenewLease(ch, p.mut(), lease.renewSecret(), lease.cancelSecret(),
                expiry, id.toBytes());
          }
          ch.force(false);
        } catch (NoSuchFileException gone) {
          continue;
        } catch (IOException e) {
          throw DiskIo.map(e, what + ": adding a lease");
        }
      }
    } finally {
      l.unlock();
    }
  }

  /** Number of leases on a share (for tests and tools). */
  public int leaseCount(StorageIndex si, ShareNumber shnum) throws StorageException {
    String what = what(si, shnum);
    try (FileChannel ch = FileChannel.open(sharePath(si, shnum), StandardOpenOption.READ)) {
      Parsed p = parse(ch, what);
      return p.imm() != null ? (int) p.imm().leaseCount() : MutableContainer.leaseCount(ch, p.mut());
    } catch (NoSuchFileException e) {
      throw new ShareNotFoundException(what + " does not exist", e);
    } catch (IOException e) {
      throw DiskIo.map(e, what);
    }
  }

  /** Aborts open uploads and releases the directory lock. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DiskUpload u : List.copyOf(uploads.values())) {
      u.discard();
    }
    synchronized (openShares) {
      openShares.values().forEach(o -> closeQuietly(o.channel()));
      openShares.clear();
    }
    try {
      if (dirLock != null) {
        dirLock.release();
      }
    } catch (IOException e) {
      LOG.debug("{}: releasing the lock: {}", serverDir, e.toString());
    }
    syncExecutor.shutdown();
    try {
      // Pending tidy-ups must not touch the directory once another server may own it.
      if (!syncExecutor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
        LOG.warn("{}: background directory work still running at close", serverDir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(lockChannel);
  }

  // ------------------------------------------------------------------ helpers

  private void wipeIncoming() throws IOException {
    if (!Files.exists(incomingDir)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (var walk = Files.walk(incomingDir)) {
      walk.forEach(all::add);
    }
    all.sort(Comparator.reverseOrder());
    int files = 0;
    for (Path p : all) {
      if (!Files.isDirectory(p)) {
        files++;
      }
      Files.deleteIfExists(p);
    }
    if (files > 0) {
      LOG.info("{}: discarded {} incomplete upload(s) from incoming/", serverDir, files);
    }
  }

  private long nowSeconds() {
    return clock.instant().getEpochSecond();
  }

  private void checkOpen() throws ServerUnavailableException {
    if (closed) {
      throw new ServerUnavailableException(serverDir + " is closed");
    }
  }

  private static void checkRead(long offset, int length) throws InvalidRequestException {
    if (offset < 0) {
      throw new InvalidRequestException("read offset must be >= 0, got " + offset);
    }
    if (length < 0 || length > MAX_READ_LENGTH) {
      throw new InvalidRequestException("read length must be 0.." + MAX_READ_LENGTH + ", got " + length);
    }
  }

  private static void checkMutableWrite(ShareTestAndWrite tw) throws InvalidRequestException {
    for (WriteVector w : tw.writes()) {
      if (w.offset() > MAX_MUTABLE_SHARE_SIZE - w.length()) {
        throw new InvalidRequestException("mutable write at " + w.offset() + " of " + w.length()
            + " bytes ends past the " + MAX_MUTABLE_SHARE_SIZE + "-byte limit");
      }
    }
    if (tw.newLength().isPresent() && tw.newLength().getAsLong() > MAX_MUTABLE_SHARE_SIZE) {
      throw new InvalidRequestException("new length past the mutable share size limit");
    }
  }

  private static int testReadLength(TestVector t) {
    return (int) Math.min(t.length(), (long) t.specimen().length + 1);
  }

  private static long resultingLength(long current, ShareTestAndWrite tw) {
    long end = current;
    for (WriteVector w : tw.writes()) {
      end = Math.max(end, w.offset() + w.length());
    }
    if (tw.newLength().isPresent()) {
      end = Math.min(end, tw.newLength().getAsLong());
    }
    return end;
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("closing: {}", e.toString());
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("deleting {}: {}", p, e.toString());
    }
  }
}
