package org.lafsrepair.backend.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.StorageServer;

/**
 * Tahoe's mutable slot container (tahoe-formats.md §7.5, {@code storage/mutable.py}): header
 * {@code >32s20s32sQQ} (magic, node id of the write enabler, write enabler, data length, offset
 * of the extra-lease area), four 92-byte lease slots, share data at 468, and at the extra-lease
 * offset a u32 count and the extra leases. The in-place operations here follow Tahoe's algorithm
 * step by step, so a container written here is laid out exactly as Tahoe lays it out.
 */
final class MutableContainer {
  static final int HEADER_SIZE = 100;
  static final int DATA_OFFSET = 468;
  static final int LEASE_SLOTS = 4;
  static final int DATA_LENGTH_AT = 84;
  static final int EXTRA_LEASE_OFFSET_AT = 92;
  static final byte[] MAGIC_V1 = magic("Tahoe mutable container v1\n", "750944038e");
  static final byte[] MAGIC_V2 = magic("Tahoe mutable container v2\n", "c355219925");

  /** Parsed header and extra-lease count. */
  record Header(int version, byte[] nodeId, byte[] writeEnabler, long dataLength,
      long extraLeaseOffset, long extraLeaseCount) {
    boolean hashedSecrets() {
      return version == 2;
    }

    long end() {
      return extraLeaseOffset + 4 + extraLeaseCount * Leases.MUTABLE_LEASE_SIZE;
    }
  }

  private MutableContainer() {}

  private static byte[] magic(String text, String hexTail) {
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    byte[] tail = HexFormat.of().parseHex(hexTail);
    byte[] m = Arrays.copyOf(t, 32);
    System.arraycopy(tail, 0, m, t.length, tail.length);
    return m;
  }

  /** Container version for a 32-byte prefix, or 0 if it is not a mutable container. */
  static int version(byte[] first32) {
    if (first32.length < 32) {
      return 0;
    }
    byte[] m = Arrays.copyOf(first32, 32);
    if (Arrays.equals(m, MAGIC_V2)) {
      return 2;
    }
    if (Arrays.equals(m, MAGIC_V1)) {
      return 1;
    }
    return 0;
  }

  static Header parse(SeekableByteChannel ch, String what) throws IOException, CorruptContainerException {
    long size = ch.size();
    if (size < DATA_OFFSET + 4) {
      throw new CorruptContainerException(
          what + ": mutable container of " + size + " bytes is shorter than the minimum 472");
    }
    ByteBuffer h = ByteBuffer.wrap(DiskIo.readExactly(ch, 0, HEADER_SIZE, what));
    byte[] magic = new byte[32];
    byte[] nodeId = new byte[20];
    byte[] we = new byte[32];
    h.get(magic).get(nodeId).get(we);
    int version = version(magic);
    if (version == 0) {
      throw new CorruptContainerException(what + ": not a Tahoe mutable container (bad magic)");
    }
    long dataLength = h.getLong();
    long elo = h.getLong();
    if (dataLength < 0 || dataLength > StorageServer.MAX_MUTABLE_SHARE_SIZE) {
      throw new CorruptContainerException(what + ": impossible data length " + Long.toUnsignedString(dataLength));
    }
    if (elo < DATA_OFFSET + dataLength || elo > size - 4) {
      throw new CorruptContainerException(what + ": extra-lease offset " + Long.toUnsignedString(elo)
          + " is outside the container (data ends at " + (DATA_OFFSET + dataLength) + ", file at " + size + ")");
    }
    long count = Integer.toUnsignedLong(ByteBuffer.wrap(DiskIo.readExactly(ch, elo, 4, what)).getInt());
    if (elo + 4 + count * Leases.MUTABLE_LEASE_SIZE > size) {
      throw new CorruptContainerException(
          what + ": " + count + " extra leases do not fit in a " + size + "-byte container");
    }
    return new Header(version, nodeId, we, dataLength, elo, count);
  }

  /** A new, empty version-2 container (472 bytes), as Tahoe's {@code create} writes it. */
  static byte[] newContainer(byte[] nodeId, byte[] writeEnabler) {
    ByteBuffer b = ByteBuffer.allocate(DATA_OFFSET + 4);
    b.put(MAGIC_V2).put(nodeId).put(writeEnabler).putLong(0).putLong(DATA_OFFSET);
    return b.array();
  }

  static ByteBuffer read(SeekableByteChannel ch, Header h, long offset, int length) throws IOException {
    if (offset >= h.dataLength()) {
      return ByteBuffer.allocate(0);
    }
    int n = (int) Math.min(length, h.dataLength() - offset);
    ByteBuffer b = ByteBuffer.allocate(n);
    DiskIo.readFully(ch, DATA_OFFSET + offset, b);
    b.flip();
    return b;
  }

  /**
   * Tahoe's {@code _write_share_data}: extends the data length, moving the extra-lease area to
   * the new end of the container when it is in the way, and zero-fills any gap. Returns the new
   * header.
   */
  static Header writeData(FileChannel ch, Header h, long offset, ByteBuffer data)
      throws IOException, CorruptContainerException {
    long len = data.remaining();
    long end = offset + len;
    Header cur = h;
    if (end >= cur.dataLength()) {
      long oldElo = cur.extraLeaseOffset();
      if (DATA_OFFSET + end > cur.extraLeaseOffset()) {
        cur = changeContainerSize(ch, cur, end);
      }
      if (offset > cur.dataLength()) {
        // Stale bytes can only lie below the old extra-lease offset (a truncated tail); past it
        // the file was zeroed by the move or is a hole, so only that part needs explicit zeros.
        zero(ch, DATA_OFFSET + cur.dataLength(), Math.min(DATA_OFFSET + offset, oldElo));
      }
      writeLong(ch, DATA_LENGTH_AT, end);
      cur = new Header(cur.version(), cur.nodeId(), cur.writeEnabler(), end,
          cur.extraLeaseOffset(), cur.extraLeaseCount());
    }
    DiskIo.writeFully(ch, DATA_OFFSET + offset, data.duplicate());
    return cur;
  }

  /** Tahoe's {@code writev} tail: shrinks the data length, never the container. */
  static Header truncate(FileChannel ch, Header h, long newLength) throws IOException {
    if (newLength >= h.dataLength()) {
      return h;
    }
    writeLong(ch, DATA_LENGTH_AT, newLength);
    return new Header(h.version(), h.nodeId(), h.writeEnabler(), newLength,
        h.extraLeaseOffset(), h.extraLeaseCount());
  }

  private static Header changeContainerSize(FileChannel ch, Header h, long newSize)
      throws IOException, CorruptContainerException {
    long newElo = DATA_OFFSET + newSize;
    long oldElo = h.extraLeaseOffset();
    if (newElo < oldElo) {
      return h;
    }
    int areaSize = (int) (4 + h.extraLeaseCount() * Leases.MUTABLE_LEASE_SIZE);
    byte[] area = DiskIo.readExactly(ch, oldElo, areaSize, "extra leases");
    DiskIo.writeFully(ch, oldElo, ByteBuffer.allocate(areaSize));
    DiskIo.writeFully(ch, newElo, ByteBuffer.wrap(area));
    writeLong(ch, EXTRA_LEASE_OFFSET_AT, newElo);
    return new Header(h.version(), h.nodeId(), h.writeEnabler(), h.dataLength(), newElo,
        h.extraLeaseCount());
  }

  private static long leaseSlotOffset(Header h, long slot) {
    return slot < LEASE_SLOTS
        ? HEADER_SIZE + slot * Leases.MUTABLE_LEASE_SIZE
        : h.extraLeaseOffset() + 4 + (slot - LEASE_SLOTS) * Leases.MUTABLE_LEASE_SIZE;
  }

  /**
   * Tahoe's {@code add_or_renew_lease}: renews the lease whose renew secret matches (when the new
   * expiry is later), else fills the first empty slot, else appends an extra lease.
   */
  static Header addOrRenewLease(FileChannel ch, Header h, byte[] renewSecret, byte[] cancelSecret,
      long expiry, byte[] nodeId) throws IOException, CorruptContainerException {
    if (h.extraLeaseCount() > 100_000) {
      throw new CorruptContainerException("implausible extra lease count " + h.extraLeaseCount());
    }
    long slots = LEASE_SLOTS + h.extraLeaseCount();
    long firstEmpty = -1;
    for (long i = 0; i < slots; i++) {
      ByteBuffer rec = ByteBuffer.wrap(
          DiskIo.readExactly(ch, leaseSlotOffset(h, i), Leases.MUTABLE_LEASE_SIZE, "lease"));
      int owner = rec.getInt();
      long oldExpiry = Integer.toUnsignedLong(rec.getInt());
      byte[] renew = new byte[32];
      rec.get(renew);
      if (owner == 0) {
        if (firstEmpty < 0) {
          firstEmpty = i;
        }
        continue;
      }
      if (Leases.matches(renew, renewSecret, h.hashedSecrets())) {
        if (expiry > oldExpiry) {
          DiskIo.writeFully(ch, leaseSlotOffset(h, i) + 4, ByteBuffer.allocate(4).putInt(0, (int) expiry));
        }
        return h;
      }
    }
    ByteBuffer rec = ByteBuffer.allocate(Leases.MUTABLE_LEASE_SIZE)
        .putInt(1)
        .putInt((int) expiry)
        .put(Leases.stored(renewSecret, h.hashedSecrets()))
        .put(Leases.stored(cancelSecret, h.hashedSecrets()))
        .put(nodeId);
    rec.flip();
    if (firstEmpty >= 0) {
      DiskIo.writeFully(ch, leaseSlotOffset(h, firstEmpty), rec);
      return h;
    }
    long count = h.extraLeaseCount() + 1;
    DiskIo.writeFully(ch, h.extraLeaseOffset(), ByteBuffer.allocate(4).putInt(0, (int) count));
    Header grown = new Header(h.version(), h.nodeId(), h.writeEnabler(), h.dataLength(),
        h.extraLeaseOffset(), count);
    DiskIo.writeFully(ch, leaseSlotOffset(grown, slots), rec);
    return grown;
  }

  /** Number of occupied lease slots (owner non-zero). */
  static int leaseCount(SeekableByteChannel ch, Header h) throws IOException, CorruptContainerException {
    int n = 0;
    long slots = LEASE_SLOTS + Math.min(h.extraLeaseCount(), 100_000);
    for (long i = 0; i < slots; i++) {
      byte[] owner = DiskIo.readExactly(ch, leaseSlotOffset(h, i), 4, "lease");
      if (ByteBuffer.wrap(owner).getInt() != 0) {
        n++;
      }
    }
    return n;
  }

  /**
   * Copies the meaningful parts of a container (header, leases, data, extra leases) to {@code dst}
   * at the same positions; the truncated tail beyond the data length, which readers never see,
   * is left as a hole.
   */
  static void copy(FileChannel src, Header h, FileChannel dst) throws IOException {
    transfer(src, 0, DATA_OFFSET + h.dataLength(), dst);
    transfer(src, h.extraLeaseOffset(), h.end() - h.extraLeaseOffset(), dst);
  }

  private static void transfer(FileChannel src, long pos, long count, FileChannel dst) throws IOException {
    long done = 0;
    while (done < count) {
      long n = src.transferTo(pos + done, count - done, dst.position(pos + done));
      if (n <= 0) {
        throw new IOException("container shrank while being copied");
      }
      done += n;
    }
  }

  private static void zero(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
    for (long p = from; p < to; ) {
      int n = (int) Math.min(zeros.capacity(), to - p);
      zeros.clear().limit(n);
      DiskIo.writeFully(ch, p, zeros);
      p += n;
    }
  }

  private static void writeLong(FileChannel ch, long pos, long v) throws IOException {
    DiskIo.writeFully(ch, pos, ByteBuffer.allocate(8).putLong(0, v));
  }
}
