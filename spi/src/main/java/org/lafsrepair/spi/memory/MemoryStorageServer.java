package org.lafsrepair.spi.memory;

import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.OutOfSpaceException;
import org.lafsrepair.spi.ReadVector;
import org.lafsrepair.spi.ServerId;
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
import org.lafsrepair.spi.WriteVector;
import org.lafsrepair.spi.MutableSharePublication;
import org.lafsrepair.spi.PublicationResult;
import org.lafsrepair.spi.WriteEnablerRebind;
import org.lafsrepair.spi.authority.MutableShareIntegrity;
import org.lafsrepair.spi.authority.PublishAuthority;
import org.lafsrepair.spi.authority.SlotView;

/**
 * A {@link StorageServer} that keeps shares in memory, with the same semantics as a Tahoe storage
 * node (it passes the TCK), sparse storage so multi-gigabyte offsets cost nothing, a capacity
 * limit, and {@link Faults} so tests can simulate failing, slow, lying and corrupting servers.
 * Thread-safe: all state sits behind one lock; injected delays happen outside it.
 *
 * <pre>{@code
 * MemoryStorageServer s = MemoryStorageServer.builder().capacity(1 << 20).build();
 * s.faults().failNext(Faults.Op.READ, 2).corruptReads(si, ShareNumber.of(0), 100, 0x01);
 * }</pre>
 */
public final class MemoryStorageServer implements StorageServer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ServerId id;
  private final byte[] permutationSeed;
  private final String location;
  private final long capacity;
  private final Faults faults = new Faults();
  private final Object lock = new Object();
  private final MutableShareIntegrity integrity;
  private final boolean conflictsAtCommit;
  private final Locality locality;

  // Guarded by lock.
  private final Map<StorageIndex, TreeMap<ShareNumber, Share>> shares = new HashMap<>();
  private final Map<Key, Upload> uploads = new HashMap<>();
  private final List<Advisory> advisories = new ArrayList<>();
  private boolean closed;

  /** A corruption advisory the server received. */
  public record Advisory(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason) {}

  private record Key(StorageIndex si, ShareNumber shnum) {}

  private static final class Lease {
    final LeaseSecrets secrets;
    long renewals;

    Lease(LeaseSecrets secrets) {
      this.secrets = secrets;
    }
  }

  private static final class Share {
    final ShareKind kind;
    final SparseBytes data;
    final byte[] writeEnabler;
    final List<Lease> leases;

    Share(ShareKind kind, SparseBytes data, byte[] writeEnabler, List<Lease> leases) {
      this.kind = kind;
      this.data = data;
      this.writeEnabler = writeEnabler;
      this.leases = leases;
    }
  }

  private MemoryStorageServer(Builder b) {
    this.id = b.id != null ? b.id : randomId();
    this.permutationSeed = b.permutationSeed != null ? b.permutationSeed.clone() : id.toBytes();
    this.location = b.location != null ? b.location : "memory:" + id.toBase32();
    this.capacity = b.capacity;
    this.integrity = b.integrity;
    this.conflictsAtCommit = b.conflictsAtCommit;
    this.locality = b.locality;
    if (b.faultSetup != null) {
      b.faultSetup.accept(faults);
    }
  }

  /** A server with a random id and no capacity limit. */
  public static MemoryStorageServer create() {
    return builder().build();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link MemoryStorageServer}; fails fast on bad values. */
  public static final class Builder {
    private ServerId id;
    private byte[] permutationSeed;
    private String location;
    private long capacity = Long.MAX_VALUE;
    private Consumer<Faults> faultSetup;
    private MutableShareIntegrity integrity = MutableShareIntegrity.discovered();
    private boolean conflictsAtCommit;
    private Locality locality = Locality.LOCAL;

    private Builder() {}

    /**
     * What {@link MemoryStorageServer#locality()} reports while no delay is injected (default
     * {@link Locality#LOCAL}); {@link Locality#REMOTE} stands this server in for a remote one.
     */
    public Builder locality(Locality locality) {
      this.locality = Objects.requireNonNull(locality, "locality");
      return this;
    }

    /**
     * Whether {@link MemoryStorageServer#allocate} leaves the check for an existing share to
     * {@link ImmutableUpload#commit} (default false: it refuses at once), as the S3 backend does
     * for small shares. Uploads in progress through this server are refused at allocate either
     * way. For testing how callers cope with a {@link ShareConflictException} at commit.
     */
    public Builder conflictsAtCommit(boolean atCommit) {
      this.conflictsAtCommit = atCommit;
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

    /** The server id (default random). */
    public Builder id(ServerId id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** The permutation seed (default the id's bytes). */
    public Builder permutationSeed(byte[] seed) {
      this.permutationSeed = Objects.requireNonNull(seed, "seed").clone();
      return this;
    }

    /** The location shown in reports (default {@code memory:<id>}). */
    public Builder location(String location) {
      this.location = Objects.requireNonNull(location, "location");
      return this;
    }

    /** Bytes of share data the server holds at most (default unlimited). */
    public Builder capacity(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("capacity must be >= 0");
      }
      this.capacity = bytes;
      return this;
    }

    /** Faults in force from the start (they can be changed later through {@link #faults()}). */
    public Builder faults(Consumer<Faults> setup) {
      this.faultSetup = Objects.requireNonNull(setup, "setup");
      return this;
    }

    public MemoryStorageServer build() {
      return new MemoryStorageServer(this);
    }
  }

  /** The live fault controls of this server. */
  public Faults faults() {
    return faults;
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
    return location;
  }

  /**
   * The builder's locality ({@link Locality#LOCAL} by default), but {@link Locality#REMOTE} while
   * {@link #faults()} delays any call: a server made slow on purpose stands in for a remote server
   * that stalls, and callers must keep its calls behind their timeouts.
   */
  @Override
  public Locality locality() {
    return faults.delaysCalls() ? Locality.REMOTE : locality;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.REPLACE_IMMUTABLE, Capability.DELETE_SHARE, Capability.LEASES,
        Capability.PUBLISH_AUTHORITY);
  }

  @Override
  public List<ShareInfo> listShares(StorageIndex si) throws StorageException {
    Objects.requireNonNull(si, "si");
    faults.before(Faults.Op.LIST);
    synchronized (lock) {
      checkOpen();
      TreeMap<ShareNumber, Share> m = shares.get(si);
      if (m == null) {
        return List.of();
      }
      List<ShareInfo> out = new ArrayList<>(m.size());
      for (Map.Entry<ShareNumber, Share> e : m.entrySet()) {
        out.add(
            new ShareInfo(
                e.getKey(), e.getValue().kind, faults.reportedSize(e.getValue().data.length())));
      }
      return out;
    }
  }

  @Override
  public ByteBuffer read(StorageIndex si, ShareNumber shnum, long offset, int length)
      throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    checkRead(offset, length);
    faults.before(Faults.Op.READ);
    byte[] out;
    synchronized (lock) {
      checkOpen();
      Share s = share(si, shnum);
      if (s == null) {
        throw new ShareNotFoundException(location + ": no share " + si + "/" + shnum.value());
      }
      out = s.data.read(offset, length);
    }
    long allowed = faults.charge(out.length);
    if (allowed < out.length) {
      throw faults.dropped();
    }
    faults.corrupt(si, shnum, offset, out);
    // A fresh copy the caller owns: left writable so hashing can use its array directly.
    return ByteBuffer.wrap(out);
  }

  @Override
  public Map<ShareNumber, List<byte[]>> readVectors(
      StorageIndex si, Set<ShareNumber> shnums, List<ReadVector> vectors) throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnums, "shnums");
    for (ReadVector v : vectors) {
      checkRead(v.offset(), v.length());
    }
    faults.before(Faults.Op.READ);
    Map<ShareNumber, List<byte[]>> out = new LinkedHashMap<>();
    long total = 0;
    synchronized (lock) {
      checkOpen();
      TreeMap<ShareNumber, Share> m = shares.getOrDefault(si, new TreeMap<>());
      for (Map.Entry<ShareNumber, Share> e : m.entrySet()) {
        if (!shnums.isEmpty() && !shnums.contains(e.getKey())) {
          continue;
        }
        List<byte[]> results = new ArrayList<>(vectors.size());
        for (ReadVector v : vectors) {
          byte[] b = e.getValue().data.read(v.offset(), v.length());
          faults.corrupt(si, e.getKey(), v.offset(), b);
          total += b.length;
          results.add(b);
        }
        out.put(e.getKey(), results);
      }
    }
    if (faults.charge(total) < total) {
      throw faults.dropped();
    }
    return out;
  }

  @Override
  public ImmutableUpload allocate(
      StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease)
      throws StorageException {
    return startUpload(si, shnum, allocatedSize, lease, false);
  }

  @Override
  public ImmutableUpload replaceImmutable(
      StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease)
      throws StorageException {
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
    faults.before(Faults.Op.ALLOCATE);
    synchronized (lock) {
      checkOpen();
      Key key = new Key(si, shnum);
      Share existing = share(si, shnum);
      if (replace) {
        if (existing == null || existing.kind != ShareKind.IMMUTABLE) {
          throw new ShareNotFoundException(
              location + ": no immutable share " + si + "/" + shnum.value() + " to replace");
        }
      } else if (existing != null && !conflictsAtCommit) {
        throw new ShareConflictException(
            location + ": share " + si + "/" + shnum.value() + " already exists");
      }
      if (uploads.containsKey(key)) {
        throw new ShareConflictException(
            location + ": share " + si + "/" + shnum.value() + " is already being uploaded");
      }
      if (allocatedSize > available()) {
        throw new OutOfSpaceException(
            location + ": " + allocatedSize + " bytes requested, " + available() + " available");
      }
      Upload u = new Upload(key, allocatedSize, lease, replace);
      uploads.put(key, u);
      return u;
    }
  }

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
    faults.before(Faults.Op.TEST_AND_WRITE);
    synchronized (lock) {
      checkOpen();
      TreeMap<ShareNumber, Share> m = shares.getOrDefault(si, new TreeMap<>());
      byte[] we = enabler.toBytes();
      for (Map.Entry<ShareNumber, Share> e : m.entrySet()) {
        if (e.getValue().kind != ShareKind.MUTABLE) {
          throw new ShareConflictException(
              location + ": " + si + " holds immutable share " + e.getKey().value());
        }
        if (!PublishAuthority.enablerMatches(enabler, e.getValue().writeEnabler)) {
          throw new org.lafsrepair.spi.WriteEnablerMismatchException(
              location + ": write enabler mismatch for " + si + " (recorded by node " + id + ")");
        }
      }
      boolean ok = true;
      for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
        Share s = m.get(e.getKey());
        for (TestVector t : e.getValue().tests()) {
          byte[] actual = s == null ? new byte[0] : s.data.read(t.offset(), testReadLength(t));
          if (!t.matches(actual)) {
            ok = false;
            break;
          }
        }
        if (!ok) {
          break;
        }
      }
      Map<ShareNumber, List<byte[]>> reads = new LinkedHashMap<>();
      for (Map.Entry<ShareNumber, Share> e : m.entrySet()) {
        List<byte[]> r = new ArrayList<>(readVector.size());
        for (ReadVector v : readVector) {
          r.add(e.getValue().data.read(v.offset(), v.length()));
        }
        reads.put(e.getKey(), r);
      }
      if (!ok) {
        return new TestAndWriteResult(false, reads);
      }
      long growth = 0;
      for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
        Share s = m.get(e.getKey());
        long end = resultingLength(s == null ? 0 : s.data.length(), e.getValue());
        growth += Math.max(0, end - (s == null ? 0 : s.data.length()));
      }
      if (growth > available()) {
        throw new OutOfSpaceException(
            location + ": mutable write needs " + growth + " bytes, " + available() + " available");
      }
      TreeMap<ShareNumber, Share> target = shares.computeIfAbsent(si, k -> new TreeMap<>());
      for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
        ShareTestAndWrite tw = e.getValue();
        if (tw.newLength().isPresent() && tw.newLength().getAsLong() == 0) {
          target.remove(e.getKey());
          continue;
        }
        Share s = target.get(e.getKey());
        if (s == null) {
          s = new Share(ShareKind.MUTABLE, new SparseBytes(), we, new ArrayList<>());
          target.put(e.getKey(), s);
        }
        for (WriteVector w : tw.writes()) {
          s.data.write(w.offset(), w.data());
        }
        if (tw.newLength().isPresent() && tw.newLength().getAsLong() < s.data.length()) {
          s.data.setLength(tw.newLength().getAsLong());
        }
        addOrRenew(s, lease);
      }
      if (target.isEmpty()) {
        shares.remove(si);
      }
      return new TestAndWriteResult(true, reads);
    }
  }

  @Override
  public PublicationResult publishMutableShare(MutableSharePublication p, LeaseSecrets lease)
      throws StorageException {
    Objects.requireNonNull(p, "publication");
    Objects.requireNonNull(lease, "lease");
    faults.before(Faults.Op.TEST_AND_WRITE);
    synchronized (lock) {
      checkOpen();
      TreeMap<ShareNumber, Share> m = mutableSlot(p.storageIndex());
      byte[] enabler = m.isEmpty() ? null : m.firstEntry().getValue().writeEnabler;
      PublishAuthority.Decision d =
          PublishAuthority.decidePublish(p, slotView(m), enabler, integrity);
      if (!d.write()) {
        addOrRenew(m.get(p.shareNumber()), lease);
        return d.result();
      }
      Share old = m.get(p.shareNumber());
      long growth = p.length() - (old == null ? 0 : old.data.length());
      if (growth > available()) {
        throw new OutOfSpaceException(location + ": publication needs " + growth + " bytes");
      }
      SparseBytes data = new SparseBytes();
      data.write(0, p.share());
      Share s = new Share(ShareKind.MUTABLE, data,
          old != null ? old.writeEnabler : d.enablerToRecord(),
          old != null ? old.leases : new ArrayList<>());
      addOrRenew(s, lease);
      shares.computeIfAbsent(p.storageIndex(), k -> new TreeMap<>()).put(p.shareNumber(), s);
      return d.result();
    }
  }

  @Override
  public void rebindWriteEnabler(WriteEnablerRebind rebind) throws StorageException {
    Objects.requireNonNull(rebind, "rebind");
    faults.before(Faults.Op.TEST_AND_WRITE);
    synchronized (lock) {
      checkOpen();
      TreeMap<ShareNumber, Share> m = mutableSlot(rebind.storageIndex());
      PublishAuthority.checkRebind(rebind, id, slotView(m));
      byte[] we = rebind.enabler().toBytes();
      for (Share s : m.values()) {
        System.arraycopy(we, 0, s.writeEnabler, 0, we.length);
      }
    }
  }

  /** The slot's shares (caller holds the lock); refuses a storage index holding immutable ones. */
  private TreeMap<ShareNumber, Share> mutableSlot(StorageIndex si) throws ShareConflictException {
    TreeMap<ShareNumber, Share> m = shares.getOrDefault(si, new TreeMap<>());
    for (Map.Entry<ShareNumber, Share> e : m.entrySet()) {
      if (e.getValue().kind != ShareKind.MUTABLE) {
        throw new ShareConflictException(
            location + ": " + si + " holds immutable share " + e.getKey().value());
      }
    }
    return m;
  }

  private static SlotView slotView(TreeMap<ShareNumber, Share> m) {
    return new SlotView() {
      @Override
      public Set<ShareNumber> shares() {
        return m.keySet();
      }

      @Override
      public ByteBuffer read(ShareNumber shnum, long offset, int length) {
        return ByteBuffer.wrap(m.get(shnum).data.read(offset, length));
      }

      @Override
      public long length(ShareNumber shnum) {
        return m.get(shnum).data.length();
      }
    };
  }

  @Override
  public void adviseCorrupt(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason)
      throws StorageException {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(reason, "reason");
    faults.before(Faults.Op.ADVISE);
    synchronized (lock) {
      checkOpen();
      if (share(si, shnum) == null) {
        return;
      }
      String bounded = reason.length() > 32765 ? reason.substring(0, 32765) : reason;
      advisories.add(new Advisory(kind, si, shnum, bounded));
    }
  }

  @Override
  public SpaceInfo space() throws StorageException {
    faults.before(Faults.Op.SPACE);
    synchronized (lock) {
      checkOpen();
      long a = available();
      return new SpaceInfo(a, a, Math.min(a, MAX_MUTABLE_SHARE_SIZE));
    }
  }

  @Override
  public void deleteShare(StorageIndex si, ShareNumber shnum, ShareKind kind) throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(kind, "kind");
    faults.before(Faults.Op.DELETE);
    synchronized (lock) {
      checkOpen();
      Share s = share(si, shnum);
      if (s == null || s.kind != kind) {
        throw new ShareNotFoundException(
            location + ": no " + kind.name().toLowerCase(java.util.Locale.ROOT) + " share " + si
                + "/" + shnum.value());
      }
      TreeMap<ShareNumber, Share> m = shares.get(si);
      m.remove(shnum);
      if (m.isEmpty()) {
        shares.remove(si);
      }
    }
  }

  @Override
  public void addLease(StorageIndex si, LeaseSecrets lease) throws StorageException {
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(lease, "lease");
    faults.before(Faults.Op.LEASE);
    synchronized (lock) {
      checkOpen();
      TreeMap<ShareNumber, Share> m = shares.get(si);
      if (m == null || m.isEmpty()) {
        throw new ShareNotFoundException(location + ": no shares of " + si + " to lease");
      }
      for (Share s : m.values()) {
        addOrRenew(s, lease);
      }
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  // ---- test helpers ----

  /** Corruption advisories received so far, oldest first. */
  public List<Advisory> advisories() {
    synchronized (lock) {
      return List.copyOf(advisories);
    }
  }

  /** Number of leases on a share (0 if the share does not exist). */
  public int leaseCount(StorageIndex si, ShareNumber shnum) {
    synchronized (lock) {
      Share s = share(si, shnum);
      return s == null ? 0 : s.leases.size();
    }
  }

  /**
   * Real bit rot: XORs stored byte {@code offset} of a share's data with {@code mask}.
   *
   * @throws ShareNotFoundException if the share does not exist
   */
  public void corruptStoredByte(StorageIndex si, ShareNumber shnum, long offset, int mask)
      throws ShareNotFoundException {
    synchronized (lock) {
      Share s = share(si, shnum);
      if (s == null) {
        throw new ShareNotFoundException("no share " + si + "/" + shnum.value());
      }
      s.data.flip(offset, mask & 0xff);
    }
  }

  /** Truncates a stored share's data (a damaged disk), bypassing every rule. */
  public void truncateStored(StorageIndex si, ShareNumber shnum, long newLength)
      throws ShareNotFoundException {
    synchronized (lock) {
      Share s = share(si, shnum);
      if (s == null) {
        throw new ShareNotFoundException("no share " + si + "/" + shnum.value());
      }
      s.data.setLength(Math.min(newLength, s.data.length()));
    }
  }

  /** Number of uploads started and neither committed nor aborted. */
  public int uploadsInProgress() {
    synchronized (lock) {
      return uploads.size();
    }
  }

  // ---- internals ----

  private Share share(StorageIndex si, ShareNumber shnum) {
    TreeMap<ShareNumber, Share> m = shares.get(si);
    return m == null ? null : m.get(shnum);
  }

  private long available() {
    if (capacity == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    long used = 0;
    for (TreeMap<ShareNumber, Share> m : shares.values()) {
      for (Share s : m.values()) {
        used = saturatedAdd(used, s.data.length());
      }
    }
    for (Upload u : uploads.values()) {
      used = saturatedAdd(used, u.allocatedSize);
    }
    return Math.max(0, capacity - used);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  private void checkOpen() throws StorageException {
    if (closed) {
      throw new org.lafsrepair.spi.ServerUnavailableException(location + " is closed");
    }
  }

  private static void addOrRenew(Share s, LeaseSecrets lease) {
    for (Lease l : s.leases) {
      if (Arrays.equals(l.secrets.renewSecret(), lease.renewSecret())) {
        l.renewals++;
        return;
      }
    }
    s.leases.add(new Lease(lease));
  }

  static void checkRead(long offset, int length) throws InvalidRequestException {
    if (offset < 0) {
      throw new InvalidRequestException("read offset must be >= 0, got " + offset);
    }
    if (length < 0 || length > MAX_READ_LENGTH) {
      throw new InvalidRequestException(
          "read length must be 0.." + MAX_READ_LENGTH + ", got " + length);
    }
  }

  static void checkMutableWrite(ShareTestAndWrite tw) throws InvalidRequestException {
    for (WriteVector w : tw.writes()) {
      if (w.offset() > MAX_MUTABLE_SHARE_SIZE - w.length()) {
        throw new InvalidRequestException(
            "mutable write at " + w.offset() + " of " + w.length() + " bytes ends past the "
                + MAX_MUTABLE_SHARE_SIZE + "-byte limit");
      }
    }
    if (tw.newLength().isPresent() && tw.newLength().getAsLong() > MAX_MUTABLE_SHARE_SIZE) {
      throw new InvalidRequestException("new length past the mutable share size limit");
    }
  }

  /** A test needs at most one byte more than its specimen to decide equality. */
  static int testReadLength(TestVector t) {
    return (int) Math.min(t.length(), (long) t.specimen().length + 1);
  }

  static long resultingLength(long current, ShareTestAndWrite tw) {
    long end = current;
    for (WriteVector w : tw.writes()) {
      end = Math.max(end, w.offset() + w.length());
    }
    if (tw.newLength().isPresent()) {
      end = Math.min(end, tw.newLength().getAsLong());
    }
    return end;
  }

  private static ServerId randomId() {
    byte[] b = new byte[ServerId.LENGTH];
    RANDOM.nextBytes(b);
    return ServerId.of(b);
  }

  private final class Upload implements ImmutableUpload {
    private final Key key;
    private final long allocatedSize;
    private final LeaseSecrets lease;
    private final boolean replace;
    private final SparseBytes data = new SparseBytes();
    private final RangeSet<Long> written = TreeRangeSet.create();
    private boolean committed;
    private boolean aborted;

    Upload(Key key, long allocatedSize, LeaseSecrets lease, boolean replace) {
      this.key = key;
      this.allocatedSize = allocatedSize;
      this.lease = lease;
      this.replace = replace;
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
    public void write(long offset, ByteBuffer src) throws StorageException {
      Objects.requireNonNull(src, "data");
      if (offset < 0) {
        throw new InvalidRequestException("write offset must be >= 0, got " + offset);
      }
      int n = src.remaining();
      if (offset > allocatedSize - n) {
        throw new ShareConflictException(
            location + ": write of " + n + " bytes at " + offset + " ends past the allocated size "
                + allocatedSize);
      }
      faults.before(Faults.Op.WRITE);
      synchronized (lock) {
        checkOpen();
        checkActive();
        ByteBuffer b = src.duplicate();
        byte[] incoming = new byte[n];
        b.get(incoming);
        Range<Long> r = Range.closedOpen(offset, offset + n);
        for (Range<Long> have : written.subRangeSet(r).asRanges()) {
          long s = have.lowerEndpoint();
          int len = (int) (have.upperEndpoint() - s);
          byte[] existing = data.read(s, len);
          if (!Arrays.equals(
              existing, 0, len, incoming, (int) (s - offset), (int) (s - offset) + len)) {
            throw new ShareConflictException(
                location + ": write at " + s + ".." + (s + len) + " differs from bytes already written");
          }
        }
        long allowed = faults.charge(n);
        data.write(offset, ByteBuffer.wrap(incoming, 0, (int) allowed));
        if (allowed > 0) {
          written.add(Range.closedOpen(offset, offset + allowed));
        }
        if (allowed < n) {
          throw faults.dropped();
        }
      }
    }

    @Override
    public void commit() throws StorageException {
      faults.before(Faults.Op.COMMIT);
      synchronized (lock) {
        checkOpen();
        if (committed) {
          return;
        }
        checkActive();
        data.setLength(allocatedSize);
        TreeMap<ShareNumber, Share> m = shares.computeIfAbsent(key.si(), k -> new TreeMap<>());
        Share old = m.get(key.shnum());
        List<Lease> leases = new ArrayList<>();
        if (replace) {
          if (old == null || old.kind != ShareKind.IMMUTABLE) {
            uploads.remove(key);
            aborted = true;
            throw new ShareConflictException(
                location + ": share " + key.si() + "/" + key.shnum().value() + " vanished during replace");
          }
          leases.addAll(old.leases);
        } else if (old != null) {
          // Not looked for at allocate, or created since (a mutable write to the same number).
          uploads.remove(key);
          aborted = true;
          throw new ShareConflictException(
              location + ": share " + key.si() + "/" + key.shnum().value() + " already exists");
        }
        Share s = new Share(ShareKind.IMMUTABLE, data, null, leases);
        addOrRenew(s, lease);
        m.put(key.shnum(), s);
        uploads.remove(key);
        committed = true;
      }
    }

    @Override
    public void abort() throws StorageException {
      faults.before(Faults.Op.ABORT);
      synchronized (lock) {
        if (committed) {
          throw new ShareConflictException(location + ": upload already committed");
        }
        if (!aborted) {
          aborted = true;
          uploads.remove(key);
        }
      }
    }

    @Override
    public void close() throws StorageException {
      synchronized (lock) {
        if (committed || aborted) {
          return;
        }
        aborted = true;
        uploads.remove(key);
      }
    }

    private void checkActive() throws ShareConflictException {
      if (aborted) {
        throw new ShareConflictException(location + ": upload was aborted");
      }
      if (committed) {
        throw new ShareConflictException(location + ": upload already committed");
      }
    }
  }
}
