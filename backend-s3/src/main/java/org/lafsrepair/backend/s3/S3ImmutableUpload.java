package org.lafsrepair.backend.s3;

import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.ShareConflictException;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One immutable share on its way into S3. The share is cut into parts of {@code partSize} bytes;
 * writes fill in-memory part buffers, and a part goes to S3 as soon as every byte of it has been
 * written, so memory stays at a few parts however large the share. A share of at most one part is
 * sent as a single PUT at commit. Either way the object appears only at commit, through a request
 * conditional on the key being free ({@code If-None-Match: *}) or, for a replacement, on the old
 * share's ETag: a concurrent uploader of the same share loses cleanly instead of overwriting.
 *
 * <p>Overlapping writes must carry identical bytes. For a part still in memory that is checked
 * byte for byte; once a part has been sent, only an exact repeat of an earlier write (same offset,
 * length and CRC32C) is accepted, as a retried write is, and anything else is a conflict.
 */
final class S3ImmutableUpload implements ImmutableUpload {
  private static final Logger LOG = LoggerFactory.getLogger(S3ImmutableUpload.class);

  private enum State {
    OPEN,
    COMMITTED,
    ABORTED
  }

  /** A part being filled: its bytes and which of them have been written. */
  private static final class Part {
    final byte[] data;
    final RangeSet<Long> written = TreeRangeSet.create(); // offsets within the part

    Part(int length) {
      data = new byte[length];
    }

    boolean complete() {
      return data.length == 0 || written.encloses(Range.closedOpen(0L, (long) data.length));
    }
  }

  private record WriteRecord(int length, int crc) {}

  private final S3StorageServer server;
  private final String what;
  private final String key;
  private final ShareNumber shnum;
  private final long size;
  private final long partSize;
  private final int partCount;
  private final int maxBufferedParts;
  private final String replaceEtag;
  private final boolean singlePut;

  private final TreeMap<Integer, Part> buffered = new TreeMap<>();
  private final TreeMap<Integer, CompletedPart> sent = new TreeMap<>();
  private final Map<Long, List<WriteRecord>> writesByOffset = new HashMap<>();
  private String uploadId;
  private State state = State.OPEN;

  S3ImmutableUpload(
      S3StorageServer server,
      String what,
      String key,
      ShareNumber shnum,
      long size,
      long partSize,
      int maxBufferedParts,
      String replaceEtag) {
    this.server = server;
    this.what = what;
    this.key = key;
    this.shnum = shnum;
    this.size = size;
    this.partSize = partSize;
    this.partCount = size == 0 ? 1 : (int) ((size + partSize - 1) / partSize);
    this.maxBufferedParts = maxBufferedParts;
    this.replaceEtag = replaceEtag;
    this.singlePut = size <= partSize;
  }

  @Override
  public ShareNumber shareNumber() {
    return shnum;
  }

  @Override
  public long allocatedSize() {
    return size;
  }

  /** Whether the share goes up as a multipart upload (else as one PUT at commit). */
  boolean isMultipart() {
    return !singlePut;
  }

  /** The S3 multipart upload id once one was started, else null. */
  synchronized String multipartUploadId() {
    return uploadId;
  }

  private int partLength(int index) {
    return (int) Math.min(partSize, size - index * partSize);
  }

  private void requireOpen() throws ShareConflictException {
    if (state != State.OPEN) {
      throw new ShareConflictException(
          server.location() + ": upload of " + what + " was already " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Override
  public synchronized void write(long offset, ByteBuffer data) throws StorageException {
    requireOpen();
    if (offset < 0) {
      throw new InvalidRequestException("write offset must be >= 0, got " + offset);
    }
    int len = data.remaining();
    if (offset > size || len > size - offset) {
      throw new ShareConflictException(
          server.location() + ": write of " + len + " bytes at " + offset + " runs past the allocated "
              + size + " bytes of " + what);
    }
    if (len == 0) {
      return;
    }
    long end = offset + len;
    int first = (int) (offset / partSize);
    int last = (int) ((end - 1) / partSize);

    int crc = 0;
    if (!singlePut) {
      CRC32C c = new CRC32C();
      c.update(data.duplicate());
      crc = (int) c.getValue();
    }
    boolean touchesSent = false;
    int newParts = 0;
    for (int i = first; i <= last; i++) {
      if (sent.containsKey(i)) {
        touchesSent = true;
      } else if (!buffered.containsKey(i)) {
        newParts++;
      }
    }
    if (touchesSent) {
      List<WriteRecord> earlier = writesByOffset.get(offset);
      if (earlier != null && earlier.contains(new WriteRecord(len, crc))) {
        return; // a repeat of a write already applied
      }
      throw new ShareConflictException(
          server.location() + ": write at " + offset + " of " + what
              + " overlaps bytes already sent to S3 and is not a repeat of an earlier write");
    }
    if (buffered.size() + newParts > maxBufferedParts) {
      throw new InvalidRequestException(
          server.location() + ": write at " + offset + " of " + what + " would hold more than "
              + maxBufferedParts + " incomplete parts of " + partSize
              + " bytes in memory; write shares front to back");
    }
    // Check every overlap before changing anything, so a conflicting write leaves no trace.
    for (int i = first; i <= last; i++) {
      Part p = buffered.get(i);
      if (p == null) {
        continue;
      }
      long partStart = i * partSize;
      long from = Math.max(offset, partStart) - partStart;
      long to = Math.min(end, partStart + p.data.length) - partStart;
      for (Range<Long> r : p.written.subRangeSet(Range.closedOpen(from, to)).asRanges()) {
        int a = (int) (long) r.lowerEndpoint();
        int b = (int) (long) r.upperEndpoint();
        int dataPos = data.position() + (int) (partStart + a - offset);
        if (data.duplicate().position(dataPos).limit(dataPos + (b - a)).compareTo(ByteBuffer.wrap(p.data, a, b - a)) != 0) {
          throw new ShareConflictException(
              server.location() + ": write at " + offset + " of " + what
                  + " overlaps earlier data with different bytes");
        }
      }
    }
    for (int i = first; i <= last; i++) {
      Part p = buffered.computeIfAbsent(i, idx -> new Part(partLength(idx)));
      long partStart = i * partSize;
      int from = (int) (Math.max(offset, partStart) - partStart);
      int to = (int) (Math.min(end, partStart + p.data.length) - partStart);
      int dataPos = data.position() + (int) (partStart + from - offset);
      data.duplicate().position(dataPos).limit(dataPos + (to - from)).get(p.data, from, to - from);
      p.written.add(Range.closedOpen((long) from, (long) to));
    }
    if (!singlePut) {
      writesByOffset.computeIfAbsent(offset, o -> new ArrayList<>(1)).add(new WriteRecord(len, crc));
      for (int i = first; i <= last; i++) {
        Part p = buffered.get(i);
        if (p.complete()) {
          sendPart(i, p);
        }
      }
    }
    data.position(data.limit());
  }

  private void sendPart(int index, Part p) throws StorageException {
    S3Client s3 = server.s3();
    try {
      if (uploadId == null) {
        uploadId =
            s3.createMultipartUpload(
                    b -> b.bucket(server.bucketName()).key(key)
                        // Name the algorithm the parts carry, or stores that insist on agreement
                        // between the upload and its parts refuse the completion.
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32)
                        .metadata(S3StorageServer.kindMetadata(S3StorageServer.IMMUTABLE_KIND)))
                .uploadId();
      }
      byte[] bytes = p.data;
      int partNumber = index + 1;
      UploadPartResponse r =
          s3.uploadPart(
              b -> b.bucket(server.bucketName()).key(key).uploadId(uploadId).partNumber(partNumber)
                  .checksumAlgorithm(ChecksumAlgorithm.CRC32),
              RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream"));
      sent.put(index, CompletedPart.builder()
          .partNumber(partNumber)
          .eTag(r.eTag())
          .checksumCRC32(r.checksumCRC32())
          .checksumCRC32C(r.checksumCRC32C())
          .checksumCRC64NVME(r.checksumCRC64NVME())
          .checksumSHA1(r.checksumSHA1())
          .checksumSHA256(r.checksumSHA256())
          .build());
      buffered.remove(index);
    } catch (SdkException e) {
      throw S3Errors.map(server.location() + ": uploading part " + (index + 1) + " of " + what, e);
    }
  }

  @Override
  public synchronized void commit() throws StorageException {
    if (state == State.COMMITTED) {
      return; // a retried commit
    }
    requireOpen();
    S3Client s3 = server.s3();
    try {
      if (singlePut) {
        Part p = buffered.get(0);
        byte[] bytes = p == null ? new byte[(int) size] : p.data;
        RequestBody body =
            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
        s3.putObject(
            b -> {
              b.bucket(server.bucketName()).key(key)
                  .metadata(S3StorageServer.kindMetadata(S3StorageServer.IMMUTABLE_KIND));
              if (replaceEtag == null) {
                b.ifNoneMatch("*");
              } else {
                b.ifMatch(replaceEtag);
              }
            },
            body);
      } else {
        for (int i = 0; i < partCount; i++) {
          if (!sent.containsKey(i)) {
            Part p = buffered.get(i);
            // Bytes never written stay zero, as in a Tahoe share file's holes.
            sendPart(i, p != null ? p : new Part(partLength(i)));
          }
        }
        List<CompletedPart> parts = new ArrayList<>(sent.values());
        s3.completeMultipartUpload(
            b -> {
              b.bucket(server.bucketName()).key(key).uploadId(uploadId)
                  .multipartUpload(m -> m.parts(parts));
              if (replaceEtag == null) {
                b.ifNoneMatch("*");
              } else {
                b.ifMatch(replaceEtag);
              }
            });
      }
      state = State.COMMITTED;
      release();
    } catch (SdkException e) {
      if (Etags.retried(e) && S3Errors.isPreconditionFailure(e) && landedAnyway()) {
        LOG.debug("{}: {} was committed by our first attempt (response lost, SDK retried)", server.location(), what);
        state = State.COMMITTED;
        release();
        return;
      }
      abortQuietly();
      if (S3Errors.isPreconditionFailure(e) || (replaceEtag != null && S3Errors.isNotFound(e))) {
        throw new ShareConflictException(
            server.location() + ": " + what
                + (replaceEtag == null ? " was committed by another writer first" : " changed while it was being replaced"),
            e);
      }
      throw S3Errors.map(server.location() + ": committing " + what, e);
    } catch (StorageException e) {
      abortQuietly();
      throw e;
    }
  }

  /** Whether the object now under our key has exactly the ETag our commit would have produced. */
  private boolean landedAnyway() {
    String expected;
    if (singlePut) {
      Part p = buffered.get(0);
      expected = Etags.ofBytes(p == null ? new byte[(int) size] : p.data);
    } else {
      expected = Etags.ofParts(sent.values().stream().map(CompletedPart::eTag).toList());
    }
    try {
      String now = server.s3().headObject(b -> b.bucket(server.bucketName()).key(key)).eTag();
      return expected != null && expected.equals(Etags.normalise(now));
    } catch (SdkException e) {
      return false;
    }
  }

  @Override
  public synchronized void abort() throws StorageException {
    if (state == State.COMMITTED) {
      throw new ShareConflictException(server.location() + ": " + what + " is already committed; it stays");
    }
    if (state == State.ABORTED) {
      return;
    }
    state = State.ABORTED;
    release();
    if (uploadId != null) {
      String id = uploadId;
      try {
        server.s3().abortMultipartUpload(b -> b.bucket(server.bucketName()).key(key).uploadId(id));
      } catch (SdkException e) {
        if (!S3Errors.isStatus(e, 404)) {
          throw S3Errors.map(
              server.location() + ": aborting the upload of " + what
                  + " (a lifecycle rule or abortStaleUploads will clean it)", e);
        }
      }
    }
  }

  private void abortQuietly() {
    try {
      abort();
    } catch (StorageException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  private void release() {
    buffered.clear();
    writesByOffset.clear();
    server.uploadFinished(key, this);
  }

  @Override
  public synchronized void close() throws StorageException {
    if (state == State.OPEN) {
      abort();
    }
  }

  @Override
  public String toString() {
    return "S3ImmutableUpload[" + what + ", " + size + " bytes]";
  }
}
