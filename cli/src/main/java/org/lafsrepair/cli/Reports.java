package org.lafsrepair.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.lafsrepair.repair.CheckResult;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;

/** Builds the JSON reports of docs/cli.md from results. Keys there are a contract: never rename. */
final class Reports {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Reports() {}

  static ObjectNode check(CheckResult r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("storage-index", r.storageIndex().toBase32());
    root.put("summary", r.summary());
    root.put("mode", r.mode().jsonName());
    ObjectNode res = root.putObject("results");
    res.put("healthy", r.healthy());
    res.put("recoverable", r.recoverable());
    res.put("count-happiness", r.happiness());
    res.put("count-shares-good", r.goodShares());
    res.put("count-shares-needed", r.needed());
    res.put("count-shares-expected", r.expected());
    res.put("count-good-share-hosts", r.goodShareHosts());
    res.put("count-wrong-shares", r.wrongShares());
    res.put("count-corrupt-shares", r.corruptShares().size());
    ArrayNode corrupt = res.putArray("list-corrupt-shares");
    for (CheckResult.ShareLocation c : r.corruptShares()) {
      ArrayNode e = corrupt.addArray();
      e.add(c.server().toBase32());
      e.add(r.storageIndex().toBase32());
      e.add(c.shareNumber().value());
    }
    res.put("count-recoverable-versions", r.recoverableVersions());
    res.put("count-unrecoverable-versions", r.unrecoverableVersions());
    ObjectNode sharemap = res.putObject("sharemap");
    for (Map.Entry<ShareNumber, List<ServerId>> e : r.sharemap().entrySet()) {
      ArrayNode servers = sharemap.putArray(Integer.toString(e.getKey().value()));
      e.getValue().forEach(id -> servers.add(id.toBase32()));
    }
    ArrayNode responding = res.putArray("servers-responding");
    r.serversResponding().forEach(id -> responding.add(id.toBase32()));
    // Extensions (new keys only): what was verified, problems in words, servers that failed.
    res.put("verified", r.verified());
    ArrayNode notResponding = res.putArray("servers-not-responding");
    r.serversNotResponding().forEach(id -> notResponding.add(id.toBase32()));
    ArrayNode reasons = res.putArray("corrupt-share-reasons");
    for (CheckResult.ShareLocation c : r.corruptShares()) {
      ObjectNode e = reasons.addObject();
      e.put("server", c.server().toBase32());
      e.put("shnum", c.shareNumber().value());
      e.put("reason", c.reason());
    }
    if (r.seqnum().isPresent()) {
      res.put("seqnum", r.seqnum().getAsLong());
    }
    if (!r.versions().isEmpty() || r.seqnum().isPresent()) {
      ArrayNode versions = res.putArray("versions");
      for (CheckResult.VersionSummary v : r.versions()) {
        ObjectNode vo = versions.addObject();
        vo.put("seqnum", v.seqnum());
        vo.put("root-hash", v.rootHashBase32());
        ArrayNode shs = vo.putArray("shnums");
        v.shareNumbers().forEach(shs::add);
        vo.put("recoverable", v.recoverable());
      }
    }
    if (!r.notes().isEmpty()) {
      ArrayNode notes = root.putArray("notes");
      r.notes().forEach(notes::add);
    }
    return root;
  }
}
