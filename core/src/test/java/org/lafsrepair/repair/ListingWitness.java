package org.lafsrepair.repair;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.testing.ForwardingStorageServer;

/**
 * A server that reports a fixed locality and remembers which threads listed it; its next listing
 * can be made to stall the way a local disk does, without the locality changing.
 */
final class ListingWitness extends ForwardingStorageServer {
  private final Locality locality;
  private final Set<Thread> listers = ConcurrentHashMap.newKeySet();
  private volatile Duration nextStall = Duration.ZERO;

  ListingWitness(StorageServer delegate, Locality locality) {
    super(delegate);
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
  public String location() {
    return "witness:" + delegate.location();
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
    return delegate.listShares(si);
  }
}
