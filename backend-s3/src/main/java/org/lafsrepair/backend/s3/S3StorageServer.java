package org.lafsrepair.backend.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.MutableSharePublication;
import org.lafsrepair.spi.PublicationResult;
import org.lafsrepair.spi.WriteEnablerRebind;
import org.lafsrepair.spi.authority.MutableShareIntegrity;
import org.lafsrepair.spi.authority.PublishAuthority;
import org.lafsrepair.spi.authority.SlotView;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link StorageServer} whose shares are objects in an S3 bucket (AWS S3 or any S3-compatible
 * store with conditional writes: MinIO, Ceph RGW, Garage, ...). Build one with {@link
 * #builder(String)}, or open {@code s3://bucket/prefix?endpoint=...} through {@link
 * S3StorageServerProvider}.
 *
 * <p>Each share is one object holding exactly the share data, so a listing tells the length and a
 * read is one ranged GET. A mutable slot additionally has a small {@code slot} object binding it
 * to a write enabler. Immutable shares appear only when a single conditional PUT (or a conditional
 * CompleteMultipartUpload for large shares) succeeds. That condition ({@code If-None-Match: *})
 * is what refuses an existing share: {@link #allocate} looks for one only before a multipart
 * upload (one HEAD), so a small share costs one request and a conflict surfaces at commit, as the
 * SPI allows. Mutable test-and-write is optimistic concurrency on ETags. The module README states
 * the guarantees and their limits.
 *
 * <p>Thread-safe. Leases are not kept (S3 has no notion of them): shares live until deleted.
 */
public final class S3StorageServer implements StorageServer {
  private static final Logger LOG = LoggerFactory.getLogger(S3StorageServer.class);

  static final long MIB = 1024L * 1024;
  /** S3's smallest part (except the last). */
  static final long MIN_PART_SIZE = 5 * MIB;
  /** S3's largest part. */
  static final long MAX_PART_SIZE = 5 * 1024 * MIB;
  /** S3's part-count limit. */
  static final int MAX_PARTS = 10_000;
  /** S3's largest object: 5 TiB. */
  static final long MAX_OBJECT_SIZE = 5L * 1024 * 1024 * MIB;

  private static final String KIND_METADATA = "lafs-kind";
  private static final byte[] EMPTY = new byte[0];
  private static final int LOCK_STRIPES = 64;
  private static final DateTimeFormatter ADVISORY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  /** Tahoe's HTTP API bounds an advisory's reason to this many characters. */
  private static final int MAX_REASON_CHARS = 32_765;

  private final S3Client s3;
  private final boolean ownsClient;
  private final String bucket;
  private final S3Layout layout;
  private final ServerId id;
  private final String location;
  private final long partSize;
  private final int maxBufferedParts;
  private final long maxMutableShareSize;
  private final int maxConflictRetries;
  private final MutableShareIntegrity integrity;
  private final boolean requireConditionalWrites;
  private final ConcurrentHashMap<String, S3ImmutableUpload> uploads = new ConcurrentHashMap<>();
  private final ReentrantLock[] slotLocks = new ReentrantLock[LOCK_STRIPES];
  private volatile boolean closed;
  /** Test seam: runs after a test-and-write has decided to write and before its first write. */
  volatile SlotWriteHook slotWriteHook = si -> {};

  /** See {@link #slotWriteHook}. */
  @FunctionalInterface
  interface SlotWriteHook {
    void beforeWrites(StorageIndex si) throws InterruptedException;
  }

  private S3StorageServer(Builder b, S3Client s3, boolean ownsClient) throws StorageException {
    this.s3 = s3;
    this.ownsClient = ownsClient;
    this.bucket = b.bucket;
    this.layout = new S3Layout(b.prefix);
    this.partSize = b.partSize;
    this.maxBufferedParts = b.maxBufferedParts;
    this.maxMutableShareSize = b.maxMutableShareSize;
    this.maxConflictRetries = b.maxConflictRetries;
    this.integrity = b.integrity;
    this.requireConditionalWrites = b.requireConditionalWrites;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      slotLocks[i] = new ReentrantLock();
    }
    StringBuilder loc = new StringBuilder("s3://").append(bucket).append('/').append(layout.prefix());
    if (b.endpoint != null) {
      loc.append("?endpoint=").append(b.endpoint);
    }
    this.location = loc.toString();
    if (b.createBucket) {
      createBucketIfMissing();
    }
    this.id = loadOrCreateNodeId();
  }

  /** Starts configuring a server on {@code bucket}. */
  public static Builder builder(String bucket) {
    return new Builder(bucket);
  }

  // ---------------------------------------------------------------------------------------------
  // Identity

  @Override
  public ServerId id() {
    return id;
  }

  @Override
  public String location() {
    return location;
  }

  /** The bucket this server stores into. */
  public String bucket() {
    return bucket;
  }

  /** The key prefix (no trailing slash; empty for the bucket root). */
  public String prefix() {
    return layout.prefix();
  }

  private void createBucketIfMissing() throws StorageException {
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return;
    } catch (SdkException e) {
      if (!S3Errors.isStatus(e, 404)) {
        throw S3Errors.map(location + ": checking bucket", e);
      }
    }
    try {
      s3.createBucket(b -> b.bucket(bucket));
      LOG.info("{}: created bucket {}", location, bucket);
    } catch (SdkException e) {
      if (!S3Errors.isStatus(e, 409)) { // created by someone else meanwhile
        throw S3Errors.map(location + ": creating bucket", e);
      }
    }
  }

  /**
   * The id is stored once under the prefix (create-if-absent), so every process opening the same
   * bucket and prefix agrees on it, as every Tahoe client agrees on a node's my_nodeid.
   */
  private ServerId loadOrCreateNodeId() throws StorageException {
    String key = layout.nodeIdKey();
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<Fetched> existing = fetchWhole(key, 1024);
      if (existing.isPresent()) {
        String text = new String(existing.get().bytes, StandardCharsets.US_ASCII).trim();
        ServerId found;
        try {
          found = ServerId.parse(text);
        } catch (IllegalArgumentException e) {
          throw new CorruptContainerException(location + ": " + key + " is not a node id: " + e.getMessage(), e);
        }
        if (requireConditionalWrites) {
          probeConditionalWrites(key, existing.get().bytes);
        }
        return found;
      }
      byte[] raw = new byte[ServerId.LENGTH];
      new SecureRandom().nextBytes(raw);
      ServerId fresh = ServerId.of(raw);
      byte[] body = (fresh.toBase32() + "\n").getBytes(StandardCharsets.US_ASCII);
      try {
        s3.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromBytes(body));
        LOG.info("{}: new node id {}", location, fresh);
        if (requireConditionalWrites) {
          probeConditionalWrites(key, body);
        }
        return fresh;
      } catch (SdkException e) {
        if (!S3Errors.isPreconditionFailure(e)) {
          throw S3Errors.map(location + ": storing node id " + key, e);
        }
        // Another process created it first: read theirs.
      }
    }
    throw new ServerUnavailableException(location + ": node id object keeps changing");
  }

  /**
   * Every guarantee of this backend rests on the store honouring {@code If-None-Match: *}; some
   * S3-compatible stores (older MinIO, Ceph or Garage releases) silently ignore it. Re-sending
   * the node id object with that condition must fail with 412; if it succeeds, the store ignored
   * the condition (and only rewrote identical bytes), and opening is refused.
   */
  private void probeConditionalWrites(String key, byte[] sameBytes) throws StorageException {
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromBytes(sameBytes));
    } catch (SdkException e) {
      if (S3Errors.isPreconditionFailure(e)) {
        return;
      }
      if (S3Errors.isStatus(e, 403)) {
        LOG.info("{}: read-only credentials; conditional writes not checked", location);
        return;
      }
      if (S3Errors.isStatus(e, 501) || S3Errors.isStatus(e, 400)) {
        throw new StorageException(location + ": the store rejects conditional writes (If-None-Match),"
            + " which this backend needs for atomic commits and mutable slots", e);
      }
      throw S3Errors.map(location + ": checking conditional-write support", e);
    }
    throw new StorageException(location + ": the store ignored If-None-Match: * (it overwrote " + key
        + " with identical bytes); without conditional writes, concurrent uploads and mutable"
        + " test-and-write are unsafe. Upgrade the store, or build with requireConditionalWrites(false)"
        + " for read-only use.");
  }

  // ---------------------------------------------------------------------------------------------
  // Listing and reading

  /** What one LIST of a storage index's key prefix shows. */
  private record Listing(Map<ShareNumber, S3Object> shares, String slotEtag) {
    boolean isMutable() {
      return slotEtag != null;
    }
  }

  private Listing list(StorageIndex si) throws StorageException {
    String prefix = layout.bucketPrefix(si);
    Map<ShareNumber, S3Object> shares = new TreeMap<>();
    String slotEtag = null;
    try {
      ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build();
      for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
        String name = o.key().substring(prefix.length());
        if (name.equals(S3Layout.SLOT_NAME)) {
          slotEtag = o.eTag();
          continue;
        }
        Optional<ShareNumber> sh = S3Layout.parseShareName(name);
        if (sh.isPresent()) {
          shares.put(sh.get(), o);
        } else {
          LOG.debug("{}: ignoring foreign object {}", location, o.key());
        }
      }
    } catch (SdkException e) {
      throw S3Errors.map(location + ": listing " + si, e);
    }
    return new Listing(shares, slotEtag);
  }

  @Override
  public List<ShareInfo> listShares(StorageIndex si) throws StorageException {
    checkOpen();
    Objects.requireNonNull(si, "si");
    Listing l = list(si);
    ShareKind kind = l.isMutable() ? ShareKind.MUTABLE : ShareKind.IMMUTABLE;
    List<ShareInfo> out = new ArrayList<>(l.shares.size());
    for (Map.Entry<ShareNumber, S3Object> e : l.shares.entrySet()) {
      out.add(new ShareInfo(e.getKey(), kind, e.getValue().size()));
    }
    return out;
  }

  @Override
  public ByteBuffer read(StorageIndex si, ShareNumber shnum, long offset, int length)
      throws StorageException {
    checkOpen();
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    checkRead(offset, length);
    String key = layout.shareKey(si, shnum);
    if (length == 0 || offset >= MAX_OBJECT_SIZE) {
      // Nothing to transfer (no S3 object reaches that far): only existence matters.
      if (!exists(key)) {
        throw new ShareNotFoundException(location + ": no share " + si + " " + shnum);
      }
      return ByteBuffer.allocate(0).asReadOnlyBuffer();
    }
    Optional<byte[]> bytes = getRange(key, offset, length, si + " " + shnum);
    if (bytes.isEmpty()) {
      throw new ShareNotFoundException(location + ": no share " + si + " " + shnum);
    }
    return ByteBuffer.wrap(bytes.get()).asReadOnlyBuffer();
  }

  private static void checkRead(long offset, int length) throws InvalidRequestException {
    if (offset < 0) {
      throw new InvalidRequestException("read offset must be >= 0, got " + offset);
    }
    if (length < 0) {
      throw new InvalidRequestException("read length must be >= 0, got " + length);
    }
    if (length > MAX_READ_LENGTH) {
      throw new InvalidRequestException(
          "read length " + length + " exceeds the limit of " + MAX_READ_LENGTH);
    }
  }

  /**
   * One ranged GET of up to {@code length > 0} bytes at {@code offset}; empty if the object does
   * not exist, an empty array if it exists but ends at or before {@code offset}.
   */
  private Optional<byte[]> getRange(String key, long offset, int length, String what)
      throws StorageException {
    long last = offset > Long.MAX_VALUE - length ? Long.MAX_VALUE - 1 : offset + length - 1;
    String range = "bytes=" + offset + "-" + last;
    try (ResponseInputStream<GetObjectResponse> in =
        s3.getObject(b -> b.bucket(bucket).key(key).range(range))) {
      Long declared = in.response().contentLength();
      // The server's length is a claim: never allocate more than was asked for.
      int expect = declared == null ? length : (int) Math.min(length, Math.max(0, declared));
      byte[] out = in.readNBytes(expect);
      if (out.length < expect) {
        throw new ServerUnavailableException(
            location + ": reading " + what + ": body ended after " + out.length + " of " + expect + " bytes");
      }
      if (declared != null && declared > length) {
        in.abort(); // do not drain a body longer than asked for
      }
      return Optional.of(out);
    } catch (SdkException e) {
      if (S3Errors.isStatus(e, 416)) {
        return Optional.of(EMPTY);
      }
      if (S3Errors.isNotFound(e)) {
        return Optional.empty();
      }
      throw S3Errors.map(location + ": reading " + what, e);
    } catch (IOException e) {
      throw new ServerUnavailableException(location + ": reading " + what + ": " + e.getMessage(), e);
    }
  }

  private boolean exists(String key) throws StorageException {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (SdkException e) {
      if (S3Errors.isNotFound(e)) {
        return false;
      }
      throw S3Errors.map(location + ": checking " + key, e);
    }
  }

  /**
   * One LIST, then one GET per share covering all vectors when they lie close together (Tahoe's
   * mutable reads ask for a header and a few nearby fields), else one GET per vector.
   */
  @Override
  public Map<ShareNumber, List<byte[]>> readVectors(
      StorageIndex si, Set<ShareNumber> shnums, List<ReadVector> vectors) throws StorageException {
    checkOpen();
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnums, "shnums");
    Objects.requireNonNull(vectors, "vectors");
    for (ReadVector v : vectors) {
      checkRead(v.offset(), v.length());
    }
    Listing l = list(si);
    Map<ShareNumber, List<byte[]>> out = new LinkedHashMap<>();
    for (Map.Entry<ShareNumber, S3Object> e : l.shares.entrySet()) {
      ShareNumber sh = e.getKey();
      if (!shnums.isEmpty() && !shnums.contains(sh)) {
        continue;
      }
      Optional<List<byte[]>> results = readShareVectors(si, sh, e.getValue().size(), vectors);
      results.ifPresent(r -> out.put(sh, r));
    }
    return out;
  }

  private Optional<List<byte[]>> readShareVectors(
      StorageIndex si, ShareNumber sh, long size, List<ReadVector> vectors) throws StorageException {
    String key = layout.shareKey(si, sh);
    String what = si + " " + sh;
    List<byte[]> results = new ArrayList<>(vectors.size());
    long lo = Long.MAX_VALUE;
    long hi = 0;
    long asked = 0;
    for (ReadVector v : vectors) {
      long start = Math.min(v.offset(), size);
      long end = Math.min(size, v.offset() + (long) v.length());
      if (end > start) {
        lo = Math.min(lo, start);
        hi = Math.max(hi, end);
        asked += end - start;
      }
    }
    long span = hi - lo;
    if (asked > 0 && span <= MAX_READ_LENGTH && span <= 2 * asked + 64 * 1024) {
      Optional<byte[]> block = getRange(key, lo, (int) span, what);
      if (block.isEmpty()) {
        return Optional.empty();
      }
      byte[] b = block.get();
      for (ReadVector v : vectors) {
        long start = Math.max(v.offset(), lo) - lo;
        long end = Math.min(b.length, v.offset() - lo + (long) v.length());
        results.add(start >= b.length || end <= start || v.offset() < lo
            ? EMPTY.clone()
            : Arrays.copyOfRange(b, (int) start, (int) end));
      }
      return Optional.of(results);
    }
    for (ReadVector v : vectors) {
      if (v.length() == 0) {
        results.add(EMPTY.clone());
        continue;
      }
      Optional<byte[]> r = getRange(key, v.offset(), v.length(), what);
      if (r.isEmpty()) {
        return Optional.empty();
      }
      results.add(r.get());
    }
    return Optional.of(results);
  }

  // ---------------------------------------------------------------------------------------------
  // Immutable uploads

  @Override
  public ImmutableUpload allocate(
      StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease)
      throws StorageException {
    checkOpen();
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    checkAllocatedSize(allocatedSize);
    String key = layout.shareKey(si, shnum);
    S3ImmutableUpload up = newUpload(si, shnum, key, allocatedSize, null);
    if (uploads.putIfAbsent(key, up) != null) {
      throw new ShareConflictException(location + ": an upload of " + si + " " + shnum + " is in progress");
    }
    if (!up.isMultipart()) {
      // One PUT with If-None-Match: * at commit refuses an existing share; a HEAD here would
      // double the requests of every small upload (the SPI lets allocate skip it).
      return up;
    }
    try {
      // A multipart share is looked for now: one HEAD next to many MiB, and no parts are staged
      // for a share that could never be committed.
      if (exists(key)) {
        throw new ShareConflictException(location + ": share " + si + " " + shnum + " already exists");
      }
    } catch (StorageException e) {
      uploads.remove(key, up);
      throw e;
    }
    return up;
  }

  @Override
  public ImmutableUpload replaceImmutable(
      StorageIndex si, ShareNumber shnum, long allocatedSize, LeaseSecrets lease)
      throws StorageException {
    checkOpen();
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    checkAllocatedSize(allocatedSize);
    String key = layout.shareKey(si, shnum);
    Listing l = list(si);
    S3Object current = l.shares.get(shnum);
    if (current == null) {
      throw new ShareNotFoundException(location + ": no share " + si + " " + shnum + " to replace");
    }
    if (l.isMutable()) {
      throw new ShareConflictException(location + ": " + si + " " + shnum + " is a mutable share");
    }
    S3ImmutableUpload up = newUpload(si, shnum, key, allocatedSize, current.eTag());
    if (uploads.putIfAbsent(key, up) != null) {
      throw new ShareConflictException(location + ": an upload of " + si + " " + shnum + " is in progress");
    }
    return up;
  }

  private void checkAllocatedSize(long allocatedSize) throws StorageException {
    if (allocatedSize < 0) {
      throw new InvalidRequestException("allocated size must be >= 0, got " + allocatedSize);
    }
    if (allocatedSize > MAX_OBJECT_SIZE) {
      throw new OutOfSpaceException(
          location + ": " + allocatedSize + " bytes exceeds S3's object limit of " + MAX_OBJECT_SIZE);
    }
  }

  private S3ImmutableUpload newUpload(
      StorageIndex si, ShareNumber shnum, String key, long size, String replaceEtag) {
    // Grow the part so even the largest object fits S3's 10,000-part limit.
    long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
    long part = Math.max(partSize, ((needed + MIB - 1) / MIB) * MIB);
    return new S3ImmutableUpload(this, si + " " + shnum, key, shnum, size, part, maxBufferedParts, replaceEtag);
  }

  void uploadFinished(String key, S3ImmutableUpload up) {
    uploads.remove(key, up);
  }

  S3Client s3() {
    return s3;
  }

  String bucketName() {
    return bucket;
  }

  static final String IMMUTABLE_KIND = "immutable";
  static final String MUTABLE_KIND = "mutable";

  static Map<String, String> kindMetadata(String kind) {
    return Map.of(KIND_METADATA, kind);
  }

  /**
   * Aborts multipart uploads under this server's prefix that were started more than {@code
   * olderThan} ago: the leftovers of processes that died mid-upload. Uploads this instance still
   * has open are left alone. Returns how many were aborted. A bucket lifecycle rule
   * (AbortIncompleteMultipartUpload) does the same without a caller; see the module README.
   */
  public int abortStaleUploads(Duration olderThan) throws StorageException {
    checkOpen();
    Instant cutoff = Instant.now().minus(olderThan);
    String sharesRoot = layout.sharesRoot();
    int aborted = 0;
    try {
      for (MultipartUpload u :
          s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(sharesRoot)).uploads()) {
        S3ImmutableUpload mine = uploads.get(u.key());
        if (mine != null && u.uploadId().equals(mine.multipartUploadId())) {
          continue;
        }
        if (u.initiated() != null && u.initiated().isAfter(cutoff)) {
          continue;
        }
        try {
          s3.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
          aborted++;
          LOG.info("{}: aborted stale upload of {} started {}", location, u.key(), u.initiated());
        } catch (SdkException e) {
          if (!S3Errors.isStatus(e, 404)) {
            throw S3Errors.map(location + ": aborting stale upload of " + u.key(), e);
          }
        }
      }
    } catch (SdkException e) {
      throw S3Errors.map(location + ": listing multipart uploads", e);
    }
    return aborted;
  }

  // ---------------------------------------------------------------------------------------------
  // Mutable slots

  /** A whole object and the ETag of exactly those bytes. */
  private record Fetched(byte[] bytes, String etag) {}

  /** Reads a whole object of at most {@code limit} bytes; empty if it does not exist. */
  private Optional<Fetched> fetchWhole(String key, long limit) throws StorageException {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      Long declared = in.response().contentLength();
      if (declared == null || declared < 0) {
        throw new ServerUnavailableException(location + ": " + key + ": S3 sent no content length");
      }
      if (declared > limit) {
        in.abort();
        throw new OutOfSpaceException(
            location + ": " + key + " is " + declared + " bytes, over this server's limit of " + limit
                + " for objects it rewrites");
      }
      byte[] bytes = in.readNBytes((int) (long) declared);
      if (bytes.length != declared) {
        throw new ServerUnavailableException(location + ": " + key + ": body ended early");
      }
      return Optional.of(new Fetched(bytes, in.response().eTag()));
    } catch (SdkException e) {
      if (S3Errors.isNotFound(e)) {
        return Optional.empty();
      }
      throw S3Errors.map(location + ": reading " + key, e);
    } catch (IOException e) {
      throw new ServerUnavailableException(location + ": reading " + key + ": " + e.getMessage(), e);
    }
  }

  private ReentrantLock slotLock(StorageIndex si) {
    return slotLocks[Math.floorMod(si.hashCode(), LOCK_STRIPES)];
  }

  /**
   * Within this process a slot's test-and-writes are serialised by a lock; across processes the
   * ETag conditions make a writer that raced another start over, so exactly one of them applies
   * its writes on a given state.
   */
  @Override
  public TestAndWriteResult testAndWrite(
      StorageIndex si,
      WriteEnabler enabler,
      Map<ShareNumber, ShareTestAndWrite> writes,
      List<ReadVector> readVector,
      LeaseSecrets lease)
      throws StorageException {
    checkOpen();
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(enabler, "enabler");
    Objects.requireNonNull(writes, "writes");
    Objects.requireNonNull(readVector, "readVector");
    for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
      Objects.requireNonNull(e.getKey(), "share number");
      Objects.requireNonNull(e.getValue(), "test-and-write");
      for (WriteVector w : e.getValue().writes()) {
        long end = w.offset() + (long) w.length();
        if (end < 0 || end > MAX_MUTABLE_SHARE_SIZE) {
          throw new InvalidRequestException(
              "a write to " + si + " " + e.getKey() + " at " + w.offset() + " of " + w.length()
                  + " bytes ends past Tahoe's mutable share limit of " + MAX_MUTABLE_SHARE_SIZE);
        }
        if (end > maxMutableShareSize) {
          throw new OutOfSpaceException(
              location + ": a write to " + si + " " + e.getKey() + " ends at " + w.offset() + "+"
                  + w.length() + ", past the mutable share limit of " + maxMutableShareSize);
        }
      }
    }
    for (ReadVector v : readVector) {
      checkRead(v.offset(), v.length());
    }
    ReentrantLock lock = slotLock(si);
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        checkOpen();
        Optional<TestAndWriteResult> r = attemptTestAndWrite(si, enabler, new TreeMap<>(writes), readVector);
        if (r.isPresent()) {
          return r.get();
        }
        if (attempt >= maxConflictRetries) {
          throw new ShareConflictException(
              location + ": slot " + si + " kept changing under " + attempt + " test-and-write attempts");
        }
        LOG.debug("{}: slot {} changed concurrently, attempt {} starts over", location, si, attempt);
        backoff(attempt);
      }
    } finally {
      lock.unlock();
    }
  }

  private static void backoff(int attempt) throws ServerUnavailableException {
    long maxMillis = Math.min(200, 5L << Math.min(attempt, 5));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, maxMillis + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerUnavailableException("interrupted while retrying a test-and-write", e);
    }
  }

  /** One write planned by a test-and-write: new bytes for a share, or its deletion (null). */
  private record Planned(ShareNumber shnum, Fetched before, byte[] after) {}

  /** One write that reached S3, kept so it can be undone if a later one loses a race. */
  private record Applied(Planned plan, String etagAfter) {}

  /** Empty when the slot changed under us and the whole operation must start over. */
  private Optional<TestAndWriteResult> attemptTestAndWrite(
      StorageIndex si,
      WriteEnabler enabler,
      Map<ShareNumber, ShareTestAndWrite> writes,
      List<ReadVector> readVector)
      throws StorageException {
    Listing l = list(si);
    if (!l.isMutable() && !l.shares.isEmpty()) {
      throw new ShareConflictException(location + ": " + si + " holds immutable shares, not a mutable slot");
    }
    String slotKey = layout.slotKey(si);
    String slotEtag = null;
    if (l.isMutable()) {
      Optional<Fetched> rec = fetchWhole(slotKey, SlotRecord.LENGTH);
      if (rec.isEmpty()) {
        return Optional.empty();
      }
      SlotRecord slot = SlotRecord.parse(rec.get().bytes, location + ": " + slotKey);
      if (!slot.accepts(enabler)) {
        throw new WriteEnablerMismatchException(
            location + ": the write enabler does not match the one slot " + si
                + " was bound to through server " + slot.acceptedBy());
      }
      slotEtag = rec.get().etag;
    }

    Map<ShareNumber, Fetched> current = new TreeMap<>();
    for (ShareNumber sh : l.shares.keySet()) {
      if (!readVector.isEmpty() || writes.containsKey(sh)) {
        Optional<Fetched> f = fetchWhole(layout.shareKey(si, sh), maxMutableShareSize);
        if (f.isEmpty()) {
          return Optional.empty();
        }
        current.put(sh, f.get());
      }
    }
    Map<ShareNumber, List<byte[]>> reads = new TreeMap<>();
    for (ShareNumber sh : l.shares.keySet()) {
      List<byte[]> results = new ArrayList<>(readVector.size());
      for (ReadVector v : readVector) {
        results.add(slice(current.get(sh).bytes, v.offset(), v.length()));
      }
      reads.put(sh, results);
    }

    boolean pass = true;
    for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
      Fetched f = current.get(e.getKey());
      byte[] data = f == null ? EMPTY : f.bytes;
      for (TestVector t : e.getValue().tests()) {
        if (!t.matches(slice(data, t.offset(), t.length()))) {
          pass = false;
        }
      }
    }
    if (!pass) {
      return Optional.of(new TestAndWriteResult(false, reads));
    }

    List<Planned> plan = new ArrayList<>();
    int remaining = l.shares.size();
    for (Map.Entry<ShareNumber, ShareTestAndWrite> e : writes.entrySet()) {
      Fetched before = current.get(e.getKey());
      ShareTestAndWrite w = e.getValue();
      if (w.newLength().isPresent() && w.newLength().getAsLong() == 0) {
        if (before != null) {
          plan.add(new Planned(e.getKey(), before, null));
          remaining--;
        }
        continue;
      }
      byte[] after = apply(before == null ? EMPTY : before.bytes, w);
      if (before == null) {
        remaining++;
      } else if (Arrays.equals(after, before.bytes)) {
        continue; // nothing would change; a PUT would only churn the ETag
      }
      plan.add(new Planned(e.getKey(), before, after));
    }
    if (plan.isEmpty()) {
      return Optional.of(new TestAndWriteResult(true, reads));
    }

    boolean boundSlotNow = false;
    if (slotEtag == null) {
      byte[] record = SlotRecord.create(id, enabler).toBytes();
      try {
        slotEtag =
            s3.putObject(
                    b -> b.bucket(bucket).key(slotKey).ifNoneMatch("*").metadata(kindMetadata(MUTABLE_KIND)),
                    RequestBody.fromBytes(record))
                .eTag();
        boundSlotNow = true;
      } catch (SdkException e) {
        if (S3Errors.isPreconditionFailure(e)) {
          return Optional.empty(); // someone bound the slot first: check their enabler
        }
        throw S3Errors.map(location + ": binding slot " + si, e);
      }
    }

    try {
      slotWriteHook.beforeWrites(si);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerUnavailableException(location + ": interrupted", e);
    }

    List<Applied> done = new ArrayList<>();
    for (Planned p : plan) {
      try {
        done.add(new Applied(p, applyPlanned(si, p)));
      } catch (SdkException e) {
        undo(si, done);
        if (boundSlotNow && done.isEmpty()) {
          deleteQuietly(slotKey, slotEtag);
        }
        if (S3Errors.isPreconditionFailure(e) || S3Errors.isNotFound(e)) {
          return Optional.empty();
        }
        throw S3Errors.map(location + ": writing " + si + " " + p.shnum, e);
      }
    }
    if (remaining == 0) {
      releaseEmptySlot(si, slotEtag);
    }
    return Optional.of(new TestAndWriteResult(true, reads));
  }

  /** Tahoe's writev: writes in order, zero-filling gaps, then shrink to newLength if smaller. */
  private static byte[] apply(byte[] data, ShareTestAndWrite w) {
    long end = data.length;
    for (WriteVector v : w.writes()) {
      end = Math.max(end, v.offset() + (long) v.length());
    }
    byte[] out = Arrays.copyOf(data, (int) end);
    for (WriteVector v : w.writes()) {
      v.data().get(out, (int) v.offset(), v.length());
    }
    if (w.newLength().isPresent() && w.newLength().getAsLong() < out.length) {
      out = Arrays.copyOf(out, (int) w.newLength().getAsLong());
    }
    return out;
  }

  /** The bytes at [offset, offset+length) truncated at the end of {@code data}. */
  private static byte[] slice(byte[] data, long offset, int length) {
    if (offset >= data.length) {
      return EMPTY.clone();
    }
    int end = (int) Math.min(data.length, offset + (long) length);
    return Arrays.copyOfRange(data, (int) offset, end);
  }

  /**
   * Conditional on the state the plan was made from; returns the new ETag (null for deletes). If
   * the SDK retried and the retry failed its condition, the first attempt may have succeeded: when
   * the object is now exactly what we wrote (or gone, for a delete), that is our write.
   */
  private String applyPlanned(StorageIndex si, Planned p) {
    try {
      return sendPlanned(si, p);
    } catch (SdkException e) {
      if (!Etags.retried(e) || !(S3Errors.isPreconditionFailure(e) || S3Errors.isNotFound(e))) {
        throw e;
      }
      String key = layout.shareKey(si, p.shnum);
      String now;
      try {
        now = s3.headObject(b -> b.bucket(bucket).key(key)).eTag();
      } catch (SdkException h) {
        if (p.after == null && S3Errors.isNotFound(h)) {
          return null;
        }
        throw e;
      }
      if (p.after != null && Etags.normalise(now).equals(Etags.ofBytes(p.after))) {
        LOG.debug("{}: {} already holds our write (response lost, SDK retried)", location, key);
        return now;
      }
      throw e;
    }
  }

  private String sendPlanned(StorageIndex si, Planned p) {
    String key = layout.shareKey(si, p.shnum);
    if (p.after == null) {
      s3.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(p.before.etag));
      return null;
    }
    RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(p.after), p.after.length, "application/octet-stream");
    if (p.before == null) {
      return s3.putObject(
              b -> b.bucket(bucket).key(key).ifNoneMatch("*").metadata(kindMetadata(MUTABLE_KIND)), body)
          .eTag();
    }
    return s3.putObject(
            b -> b.bucket(bucket).key(key).ifMatch(p.before.etag).metadata(kindMetadata(MUTABLE_KIND)), body)
        .eTag();
  }

  /**
   * Best-effort undo of the writes that went through before a later one lost a race, each
   * conditional on our write still being there (if someone overwrote it, they saw it and chose
   * their writes knowing it).
   */
  private void undo(StorageIndex si, List<Applied> done) {
    for (int i = done.size() - 1; i >= 0; i--) {
      Applied a = done.get(i);
      String key = layout.shareKey(si, a.plan.shnum);
      try {
        if (a.plan.after == null) {
          byte[] old = a.plan.before.bytes;
          s3.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*").metadata(kindMetadata(MUTABLE_KIND)),
              RequestBody.fromBytes(old));
        } else if (a.plan.before == null) {
          s3.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(a.etagAfter));
        } else {
          byte[] old = a.plan.before.bytes;
          s3.putObject(b -> b.bucket(bucket).key(key).ifMatch(a.etagAfter).metadata(kindMetadata(MUTABLE_KIND)),
              RequestBody.fromBytes(old));
        }
      } catch (SdkException e) {
        LOG.warn("{}: could not undo the write to {} after a lost race: {}", location, key, e.getMessage());
      }
    }
  }

  /** Drops the slot record once no share is left, so the slot can be bound afresh, as in Tahoe. */
  private void releaseEmptySlot(StorageIndex si, String slotEtag) throws StorageException {
    if (list(si).shares.isEmpty()) {
      deleteQuietly(layout.slotKey(si), slotEtag);
    }
  }

  private void deleteQuietly(String key, String etag) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(etag));
    } catch (SdkException e) {
      LOG.debug("{}: left {} in place: {}", location, key, e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Publish authority (docs/publish-authority.md): the same optimistic scheme as test-and-write

  /** A consistent read of a whole slot: its record and every share, with ETags. */
  private record SlotSnapshot(SlotRecord record, String recordEtag, Map<ShareNumber, Fetched> shares) {
    SlotView view() {
      return new SlotView() {
        @Override
        public Set<ShareNumber> shares() {
          return shares.keySet();
        }

        @Override
        public ByteBuffer read(ShareNumber shnum, long offset, int length) {
          return ByteBuffer.wrap(slice(shares.get(shnum).bytes, offset, length)).asReadOnlyBuffer();
        }

        @Override
        public long length(ShareNumber shnum) {
          return shares.get(shnum).bytes.length;
        }
      };
    }
  }

  /** Empty if the slot changed while it was being read. */
  private Optional<SlotSnapshot> snapshot(StorageIndex si) throws StorageException {
    Listing l = list(si);
    if (!l.isMutable() && !l.shares.isEmpty()) {
      throw new ShareConflictException(location + ": " + si + " holds immutable shares, not a mutable slot");
    }
    SlotRecord rec = null;
    String recEtag = null;
    if (l.isMutable()) {
      Optional<Fetched> f = fetchWhole(layout.slotKey(si), SlotRecord.LENGTH);
      if (f.isEmpty()) {
        return Optional.empty();
      }
      rec = SlotRecord.parse(f.get().bytes, location + ": " + layout.slotKey(si));
      recEtag = f.get().etag;
    }
    Map<ShareNumber, Fetched> shares = new TreeMap<>();
    for (ShareNumber sh : l.shares.keySet()) {
      Optional<Fetched> f = fetchWhole(layout.shareKey(si, sh), maxMutableShareSize);
      if (f.isEmpty()) {
        return Optional.empty();
      }
      shares.put(sh, f.get());
    }
    return Optional.of(new SlotSnapshot(rec, recEtag, shares));
  }

  @Override
  public PublicationResult publishMutableShare(MutableSharePublication p, LeaseSecrets lease)
      throws StorageException {
    checkOpen();
    Objects.requireNonNull(p, "publication");
    if (p.length() > maxMutableShareSize) {
      throw new OutOfSpaceException(location + ": a " + p.length()
          + "-byte mutable share is over this server's limit of " + maxMutableShareSize);
    }
    StorageIndex si = p.storageIndex();
    String key = layout.shareKey(si, p.shareNumber());
    ReentrantLock lock = slotLock(si);
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        checkOpen();
        Optional<SlotSnapshot> snap = snapshot(si);
        if (snap.isPresent()) {
          SlotSnapshot s = snap.get();
          // Only "is there a record" matters to the decision; the record's enabler never leaves it.
          byte[] existing = s.record == null ? null : PublishAuthority.UNBOUND_ENABLER;
          PublishAuthority.Decision d = PublishAuthority.decidePublish(p, s.view(), existing, integrity);
          if (!d.write()) {
            return d.result();
          }
          if (tryPublish(si, key, p, s)) {
            return d.result();
          }
        }
        if (attempt >= maxConflictRetries) {
          throw new ShareConflictException(location + ": slot " + si + " kept changing under publication");
        }
        backoff(attempt);
      }
    } finally {
      lock.unlock();
    }
  }

  /** False if another writer changed the slot first. */
  private boolean tryPublish(StorageIndex si, String key, MutableSharePublication p, SlotSnapshot s)
      throws StorageException {
    String slotKey = layout.slotKey(si);
    String createdRecord = null;
    if (s.record == null) {
      byte[] rec = SlotRecord.unbound(id).toBytes();
      try {
        createdRecord = s3.putObject(
            b -> b.bucket(bucket).key(slotKey).ifNoneMatch("*").metadata(kindMetadata(MUTABLE_KIND)),
            RequestBody.fromBytes(rec)).eTag();
      } catch (SdkException e) {
        if (S3Errors.isPreconditionFailure(e)) {
          return false;
        }
        throw S3Errors.map(location + ": creating slot " + si, e);
      }
    }
    byte[] bytes = new byte[p.length()];
    p.share().get(bytes);
    Fetched old = s.shares.get(p.shareNumber());
    try {
      s3.putObject(b -> {
        b.bucket(bucket).key(key).metadata(kindMetadata(MUTABLE_KIND));
        if (old == null) {
          b.ifNoneMatch("*");
        } else {
          b.ifMatch(old.etag);
        }
      }, RequestBody.fromBytes(bytes));
      return true;
    } catch (SdkException e) {
      if (createdRecord != null) {
        deleteQuietly(slotKey, createdRecord);
      }
      if (S3Errors.isPreconditionFailure(e) || S3Errors.isNotFound(e)) {
        return false;
      }
      throw S3Errors.map(location + ": publishing " + si + " " + p.shareNumber(), e);
    }
  }

  /**
   * Replaces the slot record, conditional on the record the decision was made from. The shares
   * are not rewritten: in this backend the enabler lives in the record alone.
   */
  @Override
  public void rebindWriteEnabler(WriteEnablerRebind rebind) throws StorageException {
    checkOpen();
    Objects.requireNonNull(rebind, "rebind");
    StorageIndex si = rebind.storageIndex();
    String slotKey = layout.slotKey(si);
    ReentrantLock lock = slotLock(si);
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        checkOpen();
        Optional<SlotSnapshot> snap = snapshot(si);
        if (snap.isPresent()) {
          SlotSnapshot s = snap.get();
          PublishAuthority.checkRebind(rebind, id, s.view());
          byte[] rec = SlotRecord.create(id, rebind.enabler()).toBytes();
          try {
            s3.putObject(b -> {
              b.bucket(bucket).key(slotKey).metadata(kindMetadata(MUTABLE_KIND));
              if (s.recordEtag == null) {
                b.ifNoneMatch("*");
              } else {
                b.ifMatch(s.recordEtag);
              }
            }, RequestBody.fromBytes(rec));
            return;
          } catch (SdkException e) {
            if (!S3Errors.isPreconditionFailure(e) && !S3Errors.isNotFound(e)) {
              throw S3Errors.map(location + ": rebinding slot " + si, e);
            }
          }
        }
        if (attempt >= maxConflictRetries) {
          throw new ShareConflictException(location + ": slot " + si + " kept changing under a rebind");
        }
        backoff(attempt);
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Other operations

  @Override
  public void adviseCorrupt(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason)
      throws StorageException {
    checkOpen();
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(reason, "reason");
    if (!exists(layout.shareKey(si, shnum))) {
      return;
    }
    String why = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
    String report =
        "report: Share Corruption\ntype: " + (kind == ShareKind.MUTABLE ? "mutable" : "immutable")
            + "\nstorage_index: " + si + "\nshare_number: " + shnum.value() + "\n\n" + why + "\n\n";
    String key = layout.advisoryKey(ADVISORY_TIME.format(Instant.now()), si, shnum);
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).contentType("text/plain; charset=utf-8"),
          RequestBody.fromBytes(report.getBytes(StandardCharsets.UTF_8)));
    } catch (SdkException e) {
      throw S3Errors.map(location + ": writing corruption advisory " + key, e);
    }
    LOG.warn("{}: corruption advised for {} {} ({}): {}", location, si, shnum, kind, why);
  }

  @Override
  public SpaceInfo space() throws StorageException {
    checkOpen();
    return new SpaceInfo(Long.MAX_VALUE, MAX_OBJECT_SIZE, maxMutableShareSize);
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.DELETE_SHARE, Capability.REPLACE_IMMUTABLE, Capability.PUBLISH_AUTHORITY);
  }

  @Override
  public void deleteShare(StorageIndex si, ShareNumber shnum, ShareKind kind) throws StorageException {
    checkOpen();
    Objects.requireNonNull(si, "si");
    Objects.requireNonNull(shnum, "shnum");
    Objects.requireNonNull(kind, "kind");
    ReentrantLock lock = slotLock(si);
    lock.lock();
    try {
      Listing l = list(si);
      S3Object o = l.shares.get(shnum);
      ShareKind actual = l.isMutable() ? ShareKind.MUTABLE : ShareKind.IMMUTABLE;
      if (o == null || actual != kind) {
        throw new ShareNotFoundException(location + ": no " + kind.name().toLowerCase(java.util.Locale.ROOT)
            + " share " + si + " " + shnum);
      }
      String key = layout.shareKey(si, shnum);
      try {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
      } catch (SdkException e) {
        if (!S3Errors.isNotFound(e)) {
          throw S3Errors.map(location + ": deleting " + si + " " + shnum, e);
        }
      }
      if (l.isMutable() && l.shares.size() == 1) {
        releaseEmptySlot(si, l.slotEtag);
      }
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() throws ServerUnavailableException {
    if (closed) {
      throw new ServerUnavailableException(location + ": closed");
    }
  }

  /** Aborts uploads still open and, if this server built its own client, closes it. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (S3ImmutableUpload up : List.copyOf(uploads.values())) {
      try {
        up.abort();
      } catch (StorageException e) {
        LOG.warn("{}: abort on close failed: {}", location, e.getMessage());
      }
    }
    if (ownsClient) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3StorageServer[" + location + ", id=" + id + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Configures an {@link S3StorageServer}. Setters validate at once; {@link #build()} contacts S3
   * (to read or create the node id), so a wrong bucket or wrong credentials fail there.
   */
  public static final class Builder {
    private final String bucket;
    private String prefix = "";
    private Region region;
    private URI endpoint;
    private boolean pathStyle;
    private AwsCredentialsProvider credentials;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration socketTimeout = Duration.ofSeconds(60);
    private Duration apiCallTimeout;
    private int maxAttempts = 5;
    private int maxConnections = 64;
    private long partSize = 8 * MIB;
    private int maxBufferedParts = 4;
    private long maxMutableShareSize = 64 * MIB;
    private int maxConflictRetries = 16;
    private boolean createBucket;
    private S3Client client;
    private MutableShareIntegrity integrity = MutableShareIntegrity.signatureOnly();
    private boolean requireConditionalWrites = true;

    private Builder(String bucket) {
      Objects.requireNonNull(bucket, "bucket");
      if (!bucket.matches("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]")) {
        throw new IllegalArgumentException("not a valid S3 bucket name: '" + bucket + "'");
      }
      this.bucket = bucket;
    }

    /** Key prefix under which everything is stored (like a Tahoe node's storage directory). */
    public Builder prefix(String prefix) {
      this.prefix = S3Layout.normalise(Objects.requireNonNull(prefix, "prefix"));
      return this;
    }

    /** Region; by default the SDK's region chain, else us-east-1. */
    public Builder region(Region region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    public Builder region(String region) {
      return region(Region.of(Objects.requireNonNull(region, "region")));
    }

    /** Endpoint of an S3-compatible store (MinIO, Ceph, Garage, a test server). */
    public Builder endpoint(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      if (endpoint.getScheme() == null || endpoint.getHost() == null) {
        throw new IllegalArgumentException("endpoint must be an absolute http(s) URI: " + endpoint);
      }
      this.endpoint = endpoint;
      return this;
    }

    /** Path-style addressing ({@code endpoint/bucket/key}), which most non-AWS stores need. */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /** Credentials; by default the SDK's default chain (environment, profile, instance role). */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connect timeout");
      return this;
    }

    /** Longest silence on an open connection. */
    public Builder socketTimeout(Duration timeout) {
      this.socketTimeout = positive(timeout, "socket timeout");
      return this;
    }

    /** Bound on one whole call including the SDK's retries; unbounded by default. */
    public Builder apiCallTimeout(Duration timeout) {
      this.apiCallTimeout = positive(timeout, "API call timeout");
      return this;
    }

    /** Attempts per request, first included (the SDK backs off between them, longer when throttled). */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 20) {
        throw new IllegalArgumentException("max attempts must be 1..20, got " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    public Builder maxConnections(int connections) {
      if (connections < 1) {
        throw new IllegalArgumentException("max connections must be >= 1, got " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /**
     * Multipart part size, 5 MiB..5 GiB (default 8 MiB). Shares up to this size are written with
     * one PUT; an upload buffers at most {@link #maxBufferedParts} parts in memory.
     */
    public Builder partSize(long bytes) {
      if (bytes < MIN_PART_SIZE || bytes > MAX_PART_SIZE) {
        throw new IllegalArgumentException("part size must be 5 MiB..5 GiB, got " + bytes);
      }
      this.partSize = bytes;
      return this;
    }

    /** Parts an upload may hold while writes to them are incomplete (default 4). */
    public Builder maxBufferedParts(int parts) {
      if (parts < 1 || parts > 1024) {
        throw new IllegalArgumentException("max buffered parts must be 1..1024, got " + parts);
      }
      this.maxBufferedParts = parts;
      return this;
    }

    /**
     * Largest mutable share accepted (default 64 MiB): a test-and-write rewrites whole objects,
     * in memory.
     */
    public Builder maxMutableShareSize(long bytes) {
      if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("max mutable share size must be 1..2^31-9, got " + bytes);
      }
      this.maxMutableShareSize = bytes;
      return this;
    }

    /** How many times a test-and-write starts over after losing a race (default 16). */
    public Builder maxConflictRetries(int retries) {
      if (retries < 1) {
        throw new IllegalArgumentException("max conflict retries must be >= 1, got " + retries);
      }
      this.maxConflictRetries = retries;
      return this;
    }

    /**
     * How publish authority judges a mutable share beyond its signature (default: signature only;
     * lafs-repair core supplies the full check).
     */
    public Builder shareIntegrity(MutableShareIntegrity integrity) {
      this.integrity = Objects.requireNonNull(integrity, "integrity");
      return this;
    }

    /**
     * Whether {@link #build()} checks that the store honours conditional writes (one PUT that must
     * fail with 412) and refuses a store that ignores them (default true). Turn off only for
     * read-only use of a store known to lack them.
     */
    public Builder requireConditionalWrites(boolean require) {
      this.requireConditionalWrites = require;
      return this;
    }

    /** Create the bucket if it does not exist (for tests and development; default false). */
    public Builder createBucketIfMissing(boolean create) {
      this.createBucket = create;
      return this;
    }

    /**
     * Uses {@code client} as is (it is not closed with the server). Connection settings of this
     * builder must then be left unset.
     */
    public Builder client(S3Client client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    /** Connects (reading or creating the node id object). */
    public S3StorageServer build() throws StorageException {
      if (client != null) {
        if (endpoint != null || region != null || credentials != null || pathStyle) {
          throw new IllegalStateException(
              "endpoint, region, credentials and path-style configure the client; with client(...) set them on it");
        }
        return new S3StorageServer(this, client, false);
      }
      S3Client built = buildClient();
      try {
        return new S3StorageServer(this, built, true);
      } catch (StorageException | RuntimeException e) {
        built.close();
        throw e;
      }
    }

    private S3Client buildClient() throws StorageException {
      try {
        S3ClientBuilder b =
            S3Client.builder()
                .httpClientBuilder(
                    Apache5HttpClient.builder()
                        .maxConnections(maxConnections)
                        .connectionTimeout(connectTimeout)
                        .socketTimeout(socketTimeout))
                .forcePathStyle(pathStyle)
                .region(region != null ? region : defaultRegion())
                .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                .overrideConfiguration(
                    o -> {
                      o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build());
                      if (apiCallTimeout != null) {
                        o.apiCallTimeout(apiCallTimeout);
                      }
                    });
        if (endpoint != null) {
          b.endpointOverride(endpoint);
        }
        return b.build();
      } catch (SdkException e) {
        throw new InvalidRequestException("cannot configure the S3 client: " + e.getMessage(), e);
      }
    }

    private static Region defaultRegion() {
      try {
        return DefaultAwsRegionProviderChain.builder().build().getRegion();
      } catch (SdkException e) {
        return Region.US_EAST_1;
      }
    }
  }
}
