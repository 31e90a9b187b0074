package org.lafsrepair.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.grid.PlacementPlan;
import org.lafsrepair.grid.PlacementPlanner;
import org.lafsrepair.grid.ServerState;
import org.lafsrepair.immutable.ChkEncoder;
import org.lafsrepair.immutable.ChkEncoding;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.internal.crypto.LeaseKeys;
import org.lafsrepair.internal.share.ShareSink;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareConflictException;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads immutable (CHK) files the way Tahoe's uploader does: convergent encryption, the same
 * bytes and the same cap as Tahoe for the same inputs, shares placed by servers-of-happiness over
 * the first 2N servers in permuted order. Shares already on the grid are kept (an upload of a
 * file that is already there writes only what is missing).
 *
 * <p>Thread-safe; each call streams the plaintext twice with memory O(segment × N).
 */
public final class Uploader {
  private static final Logger log = LoggerFactory.getLogger(Uploader.class);
  private static final int MAX_ROUNDS = 4;

  private final Grid grid;

  public Uploader(Grid grid) {
    this.grid = Objects.requireNonNull(grid, "grid");
  }

  /** Uploads with the grid's defaults and convergence secret. */
  public Cap uploadChk(PlaintextSource plaintext) throws UploadException {
    return uploadChk(plaintext, grid.defaults(), grid.convergenceSecret());
  }

  /**
   * Uploads {@code plaintext} as CHK with {@code params}. Returns the read cap ({@code URI:LIT:}
   * for 55 bytes or fewer, which stores nothing).
   *
   * @throws UploadException if reading fails or happiness {@code params.happy()} cannot be met
   */
  public Cap uploadChk(PlaintextSource plaintext, EncodingParameters params, byte[] convergenceSecret)
      throws UploadException {
    ChkEncoder encoder = ChkEncoder.convergent(params.k(), params.n(), params.maxSegmentSize(), convergenceSecret);
    ChkEncoder.Prepared prepared;
    try {
      prepared = encoder.prepare(plaintext);
    } catch (IOException e) {
      throw new UploadException("cannot read the plaintext: " + e.getMessage(), e);
    }
    if (prepared.isLiteral()) {
      try {
        return prepared.writeShares(plaintext, Map.of()).cap();
      } catch (IOException | StorageException e) {
        throw new UploadException("cannot read the plaintext: " + e.getMessage(), e);
      }
    }
    StorageIndex si = prepared.storageIndex();
    long shareLength = prepared.shareLength();
    List<StorageServer> candidates = Grid.permute(grid.servers(), si);
    candidates = candidates.subList(0, Math.min(candidates.size(), 2 * params.n()));
    Set<ServerId> refused = new HashSet<>();
    byte[] leaseSecret = grid.leaseSecret();

    for (int round = 0; round < MAX_ROUNDS; round++) {
      List<ServerState> states = new ArrayList<>();
      Map<ServerId, StorageServer> byId = new HashMap<>();
      for (StorageServer s : candidates) {
        Set<Integer> held = new TreeSet<>();
        boolean writable;
        try {
          for (ShareInfo info : s.listShares(si)) {
            if (info.kind() == ShareKind.IMMUTABLE && info.dataLength() == shareLength) {
              held.add(info.shareNumber().value());
            }
          }
          writable = !refused.contains(s.id()) && s.space().maximumImmutableShareSize() >= shareLength;
        } catch (StorageException | RuntimeException e) {
          log.info("upload of {}: server {} unavailable: {}", si, s.location(), e.toString());
          continue;
        }
        byId.put(s.id(), s);
        states.add(new ServerState(s.id(), held, Set.of(), writable, false, false));
      }
      PlacementPlan plan = PlacementPlanner.plan(params.n(), states, false);
      if (plan.happinessAfter() < params.happy()) {
        throw new UploadException("cannot reach happiness " + params.happy() + " for " + si
            + ": only " + plan.happinessAfter() + " achievable with " + states.size() + " usable servers");
      }
      Map<ShareNumber, ImmutableUpload> uploads = new TreeMap<>();
      Map<ShareNumber, ServerId> targets = new HashMap<>();
      boolean allocated = true;
      for (PlacementPlan.Write w : plan.writes()) {
        if (uploads.containsKey(w.shareNumber())) {
          continue;
        }
        try {
          uploads.put(w.shareNumber(), byId.get(w.server()).allocate(si, w.shareNumber(), shareLength,
              LeaseKeys.forServer(leaseSecret, si, w.server())));
          targets.put(w.shareNumber(), w.server());
        } catch (StorageException | RuntimeException e) {
          log.info("upload of {}: {} refused {}: {}", si, w.server(), w.shareNumber(), e.toString());
          refused.add(w.server());
          allocated = false;
          break;
        }
      }
      if (!allocated) {
        abortAll(uploads);
        continue; // replan without the refusing server
      }
      Map<ShareNumber, ShareSink> sinks = new TreeMap<>();
      uploads.forEach((sh, u) -> sinks.put(sh, ShareSink.of(u)));
      ChkEncoding enc;
      boolean conflicted = false;
      try {
        enc = prepared.writeShares(plaintext, sinks);
        for (Map.Entry<ShareNumber, ImmutableUpload> e : uploads.entrySet()) {
          try {
            e.getValue().commit();
          } catch (ShareConflictException ex) {
            // A share appeared since our listing (a backend may report that only at commit):
            // handled like a refusal at allocate, by replanning from a fresh listing.
            log.info("upload of {}: {} refused {} at commit: {}", si, targets.get(e.getKey()), e.getKey(), ex.toString());
            refused.add(targets.get(e.getKey()));
            conflicted = true;
            abortAll(Map.of(e.getKey(), e.getValue()));
          }
        }
      } catch (IOException e) {
        abortAll(uploads);
        throw new UploadException("cannot read the plaintext: " + e.getMessage(), e);
      } catch (StorageException | RuntimeException e) {
        abortAll(uploads);
        throw new UploadException("writing shares of " + si + " failed: " + e.getMessage(), e);
      }
      if (conflicted) {
        continue; // the shares committed this round count as held in the next
      }
      return enc.readCap();
    }
    throw new UploadException("servers kept refusing shares of " + si + " (" + refused.size() + " refused)");
  }

  private static void abortAll(Map<ShareNumber, ImmutableUpload> uploads) {
    for (ImmutableUpload u : uploads.values()) {
      try {
        u.abort();
      } catch (StorageException | RuntimeException e) {
        log.warn("abort failed: {}", e.toString());
      }
    }
  }

}
