package org.lafsrepair.spi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One storage server: the place shares live. This is what a backend implements (disk, S3, a
 * remote Tahoe node) and what lafs-repair's checker, downloader and repairer talk to.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Thread-safe.</b> Every method may be called from many threads at once.
 *   <li><b>Blocking.</b> Calls return when done; callers supply concurrency and timeouts. A call
 *       may be slow or fail: that is normal, and is reported as a {@link StorageException}
 *       subclass, never as an unchecked exception.
 *   <li><b>Untrusted answers.</b> Callers verify everything read; a backend need not.
 *   <li><b>Offsets are share-data offsets</b> (after any container header), as {@code long}s;
 *       shares beyond 2 GiB work.
 *   <li><b>Atomic visibility.</b> An immutable share appears only at {@link ImmutableUpload#commit}
 *       and is then durable; a mutable test-and-write is applied to all named shares or none.
 *   <li><b>No overwrite.</b> An immutable upload never replaces an existing share (only {@link
 *       #replaceImmutable} does): it is refused at {@link #allocate} or, at the latest, at {@link
 *       ImmutableUpload#commit}.
 *   <li><b>Optional capabilities</b> are default methods that throw {@link
 *       UnsupportedCapabilityException}; {@link #capabilities()} lists what a server supports.
 * </ul>
 */
public interface StorageServer extends AutoCloseable {
  /** Largest single read a caller may request; larger reads are refused as invalid. */
  int MAX_READ_LENGTH = 64 * 1024 * 1024;

  /**
   * Largest mutable share data Tahoe accepts ({@code MAX_MUTABLE_SHARE_SIZE}, 69105 TB); writes
   * ending past it are refused with {@link InvalidRequestException}.
   */
  long MAX_MUTABLE_SHARE_SIZE = 69_105L * 1000 * 1000 * 1000 * 1000;

  /** This server's node id. */
  ServerId id();

  /**
   * The seed for Tahoe's permuted server order ({@code SHA1(SI || seed)}); by default the id's
   * bytes.
   */
  default byte[] permutationSeed() {
    return id().toBytes();
  }

  /** A human-readable location (a path or URI) for reports and logs. */
  String location();

  /** Every committed share held for {@code si}, immutable and mutable; empty if none. */
  List<ShareInfo> listShares(StorageIndex si) throws StorageException;

  /**
   * Reads up to {@code length} bytes of share data at {@code offset}. The result is truncated at
   * the end of the data (empty at or past it); it is never padded.
   *
   * @throws ShareNotFoundException if the share does not exist (uploads in progress do not)
   * @throws InvalidRequestException for negative offsets or lengths, or lengths over {@link
   *     #MAX_READ_LENGTH}
   * @throws CorruptContainerException if the stored container cannot be parsed
   */
  ByteBuffer read(StorageIndex si, ShareNumber shnum, long offset, int length)
      throws StorageException;

  /**
   * Batched reads (Tahoe's {@code slot_readv}): for each share in {@code shnums} (or every share
   * of {@code si} when empty) that exists, the results of {@code vectors} in order, each
   * truncated at the end of the data. Backends talking to remote servers should override this
   * with one round trip. A backend may return empty results for a share whose container it cannot
   * parse rather than fail the whole batch (the disk backend does); {@link #read} on that share
   * then throws {@link CorruptContainerException}.
   */
  default Map<ShareNumber, List<byte[]>> readVectors(
      StorageIndex si, Set<ShareNumber> shnums, List<ReadVector> vectors) throws StorageException {
    Map<ShareNumber, List<byte[]>> out = new LinkedHashMap<>();
    for (ShareInfo info : listShares(si)) {
      if (!shnums.isEmpty() && !shnums.contains(info.shareNumber())) {
        continue;
      }
      List<byte[]> results = new ArrayList<>(vectors.size());
      for (ReadVector v : vectors) {
        ByteBuffer b = read(si, info.shareNumber(), v.offset(), v.length());
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        results.add(bytes);
      }
      out.put(info.shareNumber(), results);
    }
    return out;
  }

  /**
   * Starts an immutable upload of {@code allocatedSize} bytes (Tahoe's {@code allocate_buckets}
   * for one share).
   *
   * <p><b>An existing share is never overwritten</b>, but backends differ in when they notice it:
   *
   * <ul>
   *   <li>An upload of the same share in progress through this server object is always refused
   *       here.
   *   <li>A committed share (of either kind) under {@code si}/{@code shnum} <em>may</em> be
   *       reported here. The disk and memory backends always do (a local lookup); a backend for
   *       which that lookup is a network round trip of its own may leave it to the commit (the S3
   *       backend does for shares sent in one request, where it would double the requests of an
   *       upload).
   *   <li>{@link ImmutableUpload#commit} <em>must</em> fail with {@link ShareConflictException}
   *       if a share exists by then, whoever created it (a share this call did not look for,
   *       another process or server object over the same storage, a mutable write), leaving that
   *       share byte for byte as it was and nothing of the upload visible.
   * </ul>
   *
   * <p>Callers therefore treat a {@link ShareConflictException} from {@code commit} as they treat
   * one from {@code allocate}: a share they did not write is (now) there. They list the storage
   * index again before counting it, since it need not hold their bytes.
   *
   * @throws ShareConflictException if an upload of the share is in progress through this server
   *     object, or a committed share exists and the backend looks for one here (see above)
   * @throws OutOfSpaceException if the share does not fit
   * @throws InvalidRequestException if {@code allocatedSize} is negative
   */
  ImmutableUpload allocate(StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease)
      throws StorageException;

  /**
   * Tahoe's {@code slot_testv_and_readv_and_writev}: checks {@code enabler} against every existing
   * mutable share of {@code si} (mismatch: {@link WriteEnablerMismatchException}, nothing done),
   * runs the read vectors on all existing shares, then, only if every test of every share passes,
   * applies all writes (creating missing shares, storing {@code enabler}) atomically per slot.
   * Follows tahoe-formats.md §8.3 exactly: tests read truncated data (a missing share reads as
   * empty); {@code newLength} 0 deletes the share; a share named in {@code writes} is created even
   * when its write list is empty; gaps are zero-filled; a smaller {@code newLength} truncates.
   * The result's reads cover every mutable share that existed before the call, whether or not the
   * tests passed.
   *
   * @throws WriteEnablerMismatchException if {@code enabler} differs from any existing share's
   * @throws ShareConflictException if {@code si} holds immutable shares
   * @throws InvalidRequestException if a write would end past {@link #MAX_MUTABLE_SHARE_SIZE} or a
   *     read vector is longer than {@link #MAX_READ_LENGTH}
   */
  TestAndWriteResult testAndWrite(
      StorageIndex si,
      WriteEnabler enabler,
      Map<ShareNumber, ShareTestAndWrite> writes,
      List<ReadVector> readVector,
      LeaseSecrets lease)
      throws StorageException;

  /**
   * Records a corruption advisory for a share (Tahoe writes a file under {@code
   * corruption-advisories/}). Does nothing if the share does not exist. {@code reason} is free
   * text from an untrusted client; backends bound what they store.
   */
  void adviseCorrupt(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason)
      throws StorageException;

  /** Space available now. */
  SpaceInfo space() throws StorageException;

  /**
   * Where this server's calls are served. {@link Locality#LOCAL} lets a caller run a call that was
   * quick lately on its own thread (the checker lists such servers itself rather than pay a thread
   * hand-off per server); {@link Locality#REMOTE}, the default, keeps every call on a worker behind
   * a timeout. Say {@code LOCAL} only if a call can stall no longer than local storage does. May
   * change over the server's life; callers ask again before each round of calls.
   */
  default Locality locality() {
    return Locality.REMOTE;
  }

  /** Optional capabilities this server implements. */
  default Set<Capability> capabilities() {
    return EnumSet.noneOf(Capability.class);
  }

  /**
   * Optional ({@link Capability#REPLACE_IMMUTABLE}): an upload that, on commit, atomically
   * replaces the existing immutable share {@code shnum} (used to repair a corrupt share in place).
   * The old share stays readable until the commit, and leases are kept.
   */
  default ImmutableUpload replaceImmutable(
      StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease)
      throws StorageException {
    throw new UnsupportedCapabilityException(location() + ": replacing immutable shares");
  }

  /** Optional ({@link Capability#DELETE_SHARE}): deletes one share of the given kind. */
  default void deleteShare(StorageIndex si, ShareNumber shnum, ShareKind kind) throws StorageException {
    throw new UnsupportedCapabilityException(location() + ": deleting shares");
  }

  /** Optional ({@link Capability#LEASES}): adds or renews a lease on every share of {@code si}. */
  default void addLease(StorageIndex si, LeaseSecrets lease) throws StorageException {
    throw new UnsupportedCapabilityException(location() + ": leases");
  }

  /**
   * Optional ({@link Capability#PUBLISH_AUTHORITY}): stores a complete mutable share whose own
   * RSA-PSS signature vouches for it, without a write enabler (docs/publish-authority.md). The
   * server checks it with {@link org.lafsrepair.spi.authority.PublishAuthority#decidePublish}:
   * valid signature, the key already bound to the slot, no rollback, no second version at the same
   * seqnum. A fresh slot is created unbound (no writer can use it until {@link
   * #rebindWriteEnabler}); an existing slot keeps its write enabler. Atomic like {@link
   * #testAndWrite}.
   *
   * @throws PublishRefusedException if the share is refused (nothing changed); the reason says why
   */
  default PublicationResult publishMutableShare(
      MutableSharePublication publication, LeaseSecrets lease) throws StorageException {
    throw new UnsupportedCapabilityException(location() + ": publish authority");
  }

  /**
   * Optional ({@link Capability#PUBLISH_AUTHORITY}): sets the write enabler of every share of a
   * slot, on the strength of a signature by the key the slot is bound to over the current seqnum.
   * How the real writer takes back a slot that a repairer created or filled.
   *
   * @throws PublishRefusedException if the message is refused (nothing changed)
   */
  default void rebindWriteEnabler(WriteEnablerRebind rebind) throws StorageException {
    throw new UnsupportedCapabilityException(location() + ": publish authority");
  }

  /** Releases resources (connections, file handles). Idempotent. */
  @Override
  default void close() throws StorageException {}
}
