package org.lafsrepair.testing;

import java.util.ArrayList;
import java.util.List;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.memory.MemoryStorageServer;

/** Grids of in-memory servers for tests, with fixed ids so runs are reproducible. */
public final class MemoryGrids {
  private MemoryGrids() {}

  /** {@code count} empty servers with ids 0x01.., 0x02.., ... */
  public static List<MemoryStorageServer> servers(int count) {
    List<MemoryStorageServer> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] id = new byte[20];
      id[0] = (byte) (i + 1);
      id[19] = (byte) 0x5a;
      out.add(MemoryStorageServer.builder().id(ServerId.of(id)).location("memory:server" + i).build());
    }
    return out;
  }

  /** A grid over {@code servers} with the given defaults and a fixed convergence secret. */
  public static Grid grid(List<MemoryStorageServer> servers, EncodingParameters params, byte[] convergence) {
    byte[] lease = new byte[32];
    lease[0] = 7;
    return Grid.builder().servers(servers).defaults(params).convergenceSecret(convergence).leaseSecret(lease).build();
  }
}
