package org.lafsrepair.mutable;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;

/**
 * What {@link MutableRepairEngine#repair} found and did. {@code post} is a fresh VERIFY-mode map
 * taken after the writes (absent when nothing was written). {@code refusal} says why repair was
 * not attempted (healthy files need none and have no refusal).
 */
public record MutableRepairResult(
    MutableServerMap pre,
    Optional<MutableServerMap> post,
    boolean attempted,
    Optional<String> refusal,
    List<Placement> written,
    List<Placement> replaced,
    List<String> problems) {

  /** One share written to one server. */
  public record Placement(ServerId server, ShareNumber shnum, Method method) {
    public Placement {
      Objects.requireNonNull(server, "server");
      Objects.requireNonNull(shnum, "shnum");
      Objects.requireNonNull(method, "method");
    }
  }

  /** How a share was stored. */
  public enum Method {
    /** Ordinary test-and-write with the write enabler derived from the write cap. */
    WRITE_ENABLER,
    /** {@code publishMutableShare}: the share's own signature as authority. */
    PUBLISH_AUTHORITY,
    /** Dry run: would have been written. */
    PLANNED
  }

  public MutableRepairResult {
    Objects.requireNonNull(pre, "pre");
    Objects.requireNonNull(post, "post");
    Objects.requireNonNull(refusal, "refusal");
    written = List.copyOf(written);
    replaced = List.copyOf(replaced);
    problems = List.copyOf(problems);
  }

  /** Healthy after the repair (or already healthy before). */
  public boolean successful() {
    return post.map(MutableServerMap::healthy).orElse(pre.healthy());
  }

  /** The map that describes the file now. */
  public MutableServerMap current() {
    return post.orElse(pre);
  }
}
