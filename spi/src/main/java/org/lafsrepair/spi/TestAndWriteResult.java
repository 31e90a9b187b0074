package org.lafsrepair.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Outcome of {@link StorageServer#testAndWrite}: whether every test passed (and so every write
 * was applied), and the read vectors' results for every share that existed before the writes.
 */
public record TestAndWriteResult(boolean success, Map<ShareNumber, List<byte[]>> reads) {
  public TestAndWriteResult {
    Objects.requireNonNull(reads, "reads");
    reads = Map.copyOf(reads);
  }
}
