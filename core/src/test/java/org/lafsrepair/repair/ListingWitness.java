package org.lafsrepair.repair;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.ReadVector;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.SpaceInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.WriteEnabler;

/**
 * A server that reports a fixed locality and remembers which threads listed it; its next listing
 * can be made to stall the way a local disk does, without the locality changing.
 */
final class ListingWitness implements StorageServer {
  private final StorageServer d;
  private final Locality locality;
  private final Set<Thread> listers = ConcurrentHashMap.newKeySet();
  private volatile Duration nextStall = Duration.ZERO;

  ListingWitness(StorageServer delegate, Locality locality) {
    this.d = delegate;
    this.locality = locality;
  }

  boolean listedBy(Thread t) {
    return listers.contains(t);
  }

  void forgetListers() {
    listers.clear();
  }

  /** The next listing sleeps this long first (uninterruptibly, like a disk's I/O stall). */
  void stallNextListing(Duration d) {
    nextStall = d;
  }

  @Override
  public Locality locality() {
    return locality;
  }

  @Override
  public List<ShareInfo> listShares(StorageIndex si) throws StorageException {
    listers.add(Thread.currentThread());
    Duration stall = nextStall;
    if (!stall.isZero()) {
      nextStall = Duration.ZERO;
      long until = System.nanoTime() + stall.toNanos();
      boolean interrupted = false;
      while (System.nanoTime() - until < 0) {
        try {
          Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return d.listShares(si);
  }

  @Override
  public ServerId id() {
    return d.id();
  }

  @Override
  public String location() {
    return "witness:" + d.location();
  }

  @Override
  public ByteBuffer read(StorageIndex si, ShareNumber shnum, long offset, int length) throws StorageException {
    return d.read(si, shnum, offset, length);
  }

  @Override
  public Map<ShareNumber, List<byte[]>> readVectors(StorageIndex si, Set<ShareNumber> shnums,
      List<ReadVector> vectors) throws StorageException {
    return d.readVectors(si, shnums, vectors);
  }

  @Override
  public ImmutableUpload allocate(StorageIndex si, ShareNumber shnum, long size, LeaseSecrets lease)
      throws StorageException {
    return d.allocate(si, shnum, size, lease);
  }

  @Override
  public TestAndWriteResult testAndWrite(StorageIndex si, WriteEnabler enabler,
      Map<ShareNumber, ShareTestAndWrite> writes, List<ReadVector> readVector, LeaseSecrets lease)
      throws StorageException {
    return d.testAndWrite(si, enabler, writes, readVector, lease);
  }

  @Override
  public void adviseCorrupt(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason)
      throws StorageException {
    d.adviseCorrupt(kind, si, shnum, reason);
  }

  @Override
  public SpaceInfo space() throws StorageException {
    return d.space();
  }
}
