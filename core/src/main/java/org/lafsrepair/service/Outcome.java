package org.lafsrepair.service;

/** What became of one work item. The lowercase name is the {@code outcome} of JSON reports. */
public enum Outcome {
  /** Checked and found healthy (or healthy enough under the service's repair threshold). */
  HEALTHY,
  /** Was unhealthy and is now repaired. */
  REPAIRED,
  /** Fewer than k good shares of any version; retried with backoff before being final. */
  UNRECOVERABLE,
  /** The check or repair failed (I/O, backend, bug); retried with backoff before being final. */
  FAILED,
  /** The line is neither a cap nor a storage index; never retried. */
  INVALID;

  /** True for the outcomes after which a work file may be deleted. */
  public boolean isSuccess() {
    return this == HEALTHY || this == REPAIRED;
  }

  /** The JSON spelling. */
  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
