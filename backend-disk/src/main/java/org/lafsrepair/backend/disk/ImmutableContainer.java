package org.lafsrepair.backend.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.lafsrepair.spi.CorruptContainerException;

/**
 * Tahoe's immutable share container (tahoe-formats.md §5.2, {@code storage/immutable.py}):
 * a 12-byte header {@code >LLL} (version 1 or 2, legacy size, lease count), the share data, then
 * the leases, 72 bytes each ({@code >L32s32sL}), located from the end of the file. Version 2
 * stores BLAKE2b-256 of the lease secrets.
 */
final class ImmutableContainer {
  static final int HEADER_SIZE = 12;
  static final int NEWEST_VERSION = 2;

  /** A parsed header plus what the file size implies. */
  record Header(int version, long legacySize, long leaseCount, long dataLength) {
    long leaseOffset() {
      return HEADER_SIZE + dataLength;
    }

    boolean hashedSecrets() {
      return version == 2;
    }
  }

  /** One lease as stored (secrets hashed in version 2). */
  record Lease(int owner, byte[] renew, byte[] cancel, long expiry) {}

  private ImmutableContainer() {}

  /** Whether the first four bytes name an immutable container version this code reads. */
  static boolean isImmutable(byte[] first4) {
    if (first4.length < 4) {
      return false;
    }
    int v = ByteBuffer.wrap(first4, 0, 4).getInt();
    return v == 1 || v == 2;
  }

  static Header parse(SeekableByteChannel ch, String what) throws IOException, CorruptContainerException {
    long size = ch.size();
    if (size < HEADER_SIZE) {
      throw tooShort(size, what);
    }
    return parse(DiskIo.readExactly(ch, 0, HEADER_SIZE, what), size, () -> what);
  }

  /**
   * Parses the header from the container's first bytes ({@code first}, at least 12 of them when
   * the file has 12) and the file's size; {@code what} names the share only in an exception, so
   * the common case builds no message.
   */
  static Header parse(byte[] first, long size, Supplier<String> what) throws CorruptContainerException {
    if (size < HEADER_SIZE || first.length < HEADER_SIZE) {
      throw tooShort(size, what.get());
    }
    ByteBuffer h = ByteBuffer.wrap(first, 0, HEADER_SIZE);
    int version = h.getInt();
    long legacy = Integer.toUnsignedLong(h.getInt());
    long leases = Integer.toUnsignedLong(h.getInt());
    if (version != 1 && version != 2) {
      throw new CorruptContainerException(
          what.get() + ": unknown immutable container version " + Integer.toUnsignedString(version));
    }
    long dataLength = size - HEADER_SIZE - leases * Leases.IMMUTABLE_LEASE_SIZE;
    if (dataLength < 0) {
      throw new CorruptContainerException(
          what.get() + ": " + leases + " leases do not fit in a " + size + "-byte container");
    }
    return new Header(version, legacy, leases, dataLength);
  }

  private static CorruptContainerException tooShort(long size, String what) {
    return new CorruptContainerException(
        what + ": immutable container of " + size + " bytes is shorter than its 12-byte header");
  }

  /** The header Tahoe writes at allocation: version 2, min(2^32-1, size), lease count. */
  static byte[] header(long allocatedSize, long leaseCount) {
    return ByteBuffer.allocate(HEADER_SIZE)
        .putInt(NEWEST_VERSION)
        .putInt((int) Math.min(0xffffffffL, allocatedSize))
        .putInt((int) leaseCount)
        .array();
  }

  /** A 72-byte lease record; {@code renew} and {@code cancel} are already in stored form. */
  static byte[] leaseRecord(int owner, byte[] renew, byte[] cancel, long expiry) {
    return ByteBuffer.allocate(Leases.IMMUTABLE_LEASE_SIZE)
        .putInt(owner)
        .put(renew)
        .put(cancel)
        .putInt((int) expiry)
        .array();
  }

  static List<Lease> readLeases(SeekableByteChannel ch, Header h, String what)
      throws IOException, CorruptContainerException {
    if (h.leaseCount() > 100_000) {
      throw new CorruptContainerException(what + ": implausible lease count " + h.leaseCount());
    }
    int n = (int) h.leaseCount();
    byte[] all = DiskIo.readExactly(ch, h.leaseOffset(), n * Leases.IMMUTABLE_LEASE_SIZE, what);
    ByteBuffer b = ByteBuffer.wrap(all);
    List<Lease> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int owner = b.getInt();
      byte[] renew = new byte[32];
      byte[] cancel = new byte[32];
      b.get(renew).get(cancel);
      long expiry = Integer.toUnsignedLong(b.getInt());
      out.add(new Lease(owner, renew, cancel, expiry));
    }
    return out;
  }

  /**
   * Renews the lease whose renew secret matches (if the new expiry is later), else appends one,
   * writing the record before the count as Tahoe does.
   */
  static void addOrRenewLease(FileChannel ch, Header h, int owner, byte[] renewSecret,
      byte[] cancelSecret, long expiry, String what) throws IOException, CorruptContainerException {
    List<Lease> leases = readLeases(ch, h, what);
    for (int i = 0; i < leases.size(); i++) {
      Lease l = leases.get(i);
      if (Leases.matches(l.renew(), renewSecret, h.hashedSecrets())) {
        if (expiry > l.expiry()) {
          ByteBuffer e = ByteBuffer.allocate(4).putInt(0, (int) expiry);
          DiskIo.writeFully(ch, h.leaseOffset() + (long) i * Leases.IMMUTABLE_LEASE_SIZE + 68, e);
        }
        return;
      }
    }
    byte[] rec = leaseRecord(owner, Leases.stored(renewSecret, h.hashedSecrets()),
        Leases.stored(cancelSecret, h.hashedSecrets()), expiry);
    DiskIo.writeFully(ch, h.leaseOffset() + h.leaseCount() * Leases.IMMUTABLE_LEASE_SIZE, ByteBuffer.wrap(rec));
    DiskIo.writeFully(ch, 8, ByteBuffer.allocate(4).putInt(0, (int) (h.leaseCount() + 1)));
  }

  /** Reads share data truncated at its end; empty at or past it. */
  static ByteBuffer read(SeekableByteChannel ch, Header h, long offset, int length) throws IOException {
    if (offset >= h.dataLength()) {
      return ByteBuffer.allocate(0);
    }
    int n = (int) Math.min(length, h.dataLength() - offset);
    ByteBuffer b = ByteBuffer.allocate(n);
    DiskIo.readFully(ch, HEADER_SIZE + offset, b);
    b.flip();
    return b;
  }
}
