package org.lafsrepair.testing;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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

/**
 * A server that passes the SPI's required calls (and its permutation seed and batched reads) to
 * another, for tests that change one behaviour. Optional capabilities and the locality keep the
 * SPI's defaults unless a subclass forwards them too, so a wrapper never claims more than it means.
 */
public abstract class ForwardingStorageServer implements StorageServer {
  protected final StorageServer delegate;

  protected ForwardingStorageServer(StorageServer delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public ServerId id() {
    return delegate.id();
  }

  @Override
  public byte[] permutationSeed() {
    return delegate.permutationSeed();
  }

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public List<ShareInfo> listShares(StorageIndex si) throws StorageException {
    return delegate.listShares(si);
  }

  @Override
  public ByteBuffer read(StorageIndex si, ShareNumber shnum, long offset, int length) throws StorageException {
    return delegate.read(si, shnum, offset, length);
  }

  @Override
  public Map<ShareNumber, List<byte[]>> readVectors(StorageIndex si, Set<ShareNumber> shnums,
      List<ReadVector> vectors) throws StorageException {
    return delegate.readVectors(si, shnums, vectors);
  }

  @Override
  public ImmutableUpload allocate(StorageIndex si, ShareNumber shnum, long size, LeaseSecrets lease)
      throws StorageException {
    return delegate.allocate(si, shnum, size, lease);
  }

  @Override
  public TestAndWriteResult testAndWrite(StorageIndex si, WriteEnabler enabler,
      Map<ShareNumber, ShareTestAndWrite> writes, List<ReadVector> readVector, LeaseSecrets lease)
      throws StorageException {
    return delegate.testAndWrite(si, enabler, writes, readVector, lease);
  }

  @Override
  public void adviseCorrupt(ShareKind kind, StorageIndex si, ShareNumber shnum, String reason)
      throws StorageException {
    delegate.adviseCorrupt(kind, si, shnum, reason);
  }

  @Override
  public SpaceInfo space() throws StorageException {
    return delegate.space();
  }
}
