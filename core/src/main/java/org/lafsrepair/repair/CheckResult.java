package org.lafsrepair.repair;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageIndex;

/**
 * The health of one file, with the fields of Tahoe's check results (docs/cli.md "JSON reports").
 * Counts refer to the best recoverable version for mutable files.
 *
 * @param mode whether a verify cap or only a storage index was available
 * @param verified whether share contents were read and verified (else shares were only listed)
 * @param sharemap good shares of the best version: share number → servers holding a good copy
 * @param notes what could not be checked, in words (always set in storage-index-only mode)
 */
public record CheckResult(
    StorageIndex storageIndex,
    Mode mode,
    boolean verified,
    boolean healthy,
    boolean recoverable,
    int happiness,
    int goodShares,
    int needed,
    int expected,
    int goodShareHosts,
    int wrongShares,
    List<ShareLocation> corruptShares,
    int recoverableVersions,
    int unrecoverableVersions,
    SortedMap<ShareNumber, List<ServerId>> sharemap,
    List<ServerId> serversResponding,
    List<ServerId> serversNotResponding,
    OptionalLong seqnum,
    List<VersionSummary> versions,
    List<String> notes) {

  public CheckResult {
    Objects.requireNonNull(storageIndex);
    Objects.requireNonNull(mode);
    corruptShares = List.copyOf(corruptShares);
    TreeMap<ShareNumber, List<ServerId>> sm = new TreeMap<>();
    sharemap.forEach((k, v) -> sm.put(k, List.copyOf(v)));
    sharemap = java.util.Collections.unmodifiableSortedMap(sm);
    serversResponding = List.copyOf(serversResponding);
    serversNotResponding = List.copyOf(serversNotResponding);
    Objects.requireNonNull(seqnum);
    versions = List.copyOf(versions);
    notes = List.copyOf(notes);
  }

  /** How the file was identified. */
  public enum Mode {
    VERIFY_CAP("verify-cap"),
    STORAGE_INDEX_ONLY("storage-index-only");

    private final String json;

    Mode(String json) {
      this.json = json;
    }

    /** The name used in JSON reports. */
    public String jsonName() {
      return json;
    }
  }

  /** A share on a server. */
  public record ShareLocation(ServerId server, ShareNumber shareNumber, String reason) {
    public ShareLocation {
      Objects.requireNonNull(server);
      Objects.requireNonNull(shareNumber);
      reason = reason == null ? "" : reason;
    }
  }

  /** One mutable version seen: seqnum, root hash (base32), and its good share numbers. */
  public record VersionSummary(long seqnum, String rootHashBase32, List<Integer> shareNumbers, boolean recoverable) {
    public VersionSummary {
      shareNumbers = List.copyOf(shareNumbers);
    }
  }

  /** Tahoe's summary line: "Healthy" or "Not Healthy: X shares (enc k-of-N)". */
  public String summary() {
    if (healthy) {
      return "Healthy";
    }
    String s = "Not Healthy: " + goodShares + " shares (enc " + needed + "-of-" + expected + ")";
    if (!recoverable) {
      s += ", unrecoverable";
    } else if (goodShares >= expected && happiness < Math.min(expected, serversResponding.size())) {
      s += ", happiness " + happiness;
    }
    return s;
  }


  /** Spare shares beyond k (negative when unrecoverable): how close the file is to loss. */
  public int spareShares() {
    return goodShares - needed;
  }

}
