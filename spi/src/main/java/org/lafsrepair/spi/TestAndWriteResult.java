package org.lafsrepair.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Outcome of {@link StorageServer#testAndWrite}: whether every test passed (and so every write
 * was applied), and the read vectors' results for every share that existed before the writes.
 * The byte arrays are copied on the way in, so a result never aliases a server's buffers.
 */
public record TestAndWriteResult(boolean success, Map<ShareNumber, List<byte[]>> reads) {
  public TestAndWriteResult {
    Objects.requireNonNull(reads, "reads");
    Map<ShareNumber, List<byte[]>> copy = new LinkedHashMap<>();
    for (Map.Entry<ShareNumber, List<byte[]>> e : reads.entrySet()) {
      List<byte[]> l = new ArrayList<>(e.getValue().size());
      for (byte[] b : e.getValue()) {
        l.add(Objects.requireNonNull(b, "read result").clone());
      }
      copy.put(Objects.requireNonNull(e.getKey(), "share number"), Collections.unmodifiableList(l));
    }
    reads = Collections.unmodifiableMap(copy);
  }
}
