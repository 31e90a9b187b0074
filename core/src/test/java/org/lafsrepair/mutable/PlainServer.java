package org.lafsrepair.mutable;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
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

/** A server offering only the required SPI (like a plain Tahoe node): no publish authority. */
final class PlainServer implements StorageServer {
  private final StorageServer d;

  PlainServer(StorageServer delegate) {
    this.d = delegate;
  }

  @Override
  public ServerId id() {
    return d.id();
  }

  @Override
  public String location() {
    return "plain:" + d.location();
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.noneOf(Capability.class);
  }

  @Override
  public List<ShareInfo> listShares(StorageIndex si) throws StorageException {
    return d.listShares(si);
  }

  @Override
  public ByteBuffer read(StorageIndex si, ShareNumber shnum, long offset, int length)
      throws StorageException {
    return d.read(si, shnum, offset, length);
  }

  @Override
  public ImmutableUpload allocate(StorageIndex si, ShareNumber shnum, long size, LeaseSecrets l)
      throws StorageException {
    return d.allocate(si, shnum, size, l);
  }

  @Override
  public TestAndWriteResult testAndWrite(StorageIndex si, WriteEnabler we,
      Map<ShareNumber, ShareTestAndWrite> writes, List<ReadVector> rv, LeaseSecrets l)
      throws StorageException {
    return d.testAndWrite(si, we, writes, rv, l);
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
