package org.lafsrepair.mutable;

import java.util.EnumSet;
import java.util.Set;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.testing.ForwardingStorageServer;

/** A server offering only the required SPI (like a plain Tahoe node): no publish authority. */
final class PlainServer extends ForwardingStorageServer {
  PlainServer(StorageServer delegate) {
    super(delegate);
  }

  @Override
  public String location() {
    return "plain:" + delegate.location();
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.noneOf(Capability.class);
  }
}
