package org.lafsrepair.client;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.ChkReadCap;
import org.lafsrepair.cap.DirectoryCap;
import org.lafsrepair.cap.LiteralCap;
import org.lafsrepair.cap.MutableReadCap;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.ChkDownloader;
import org.lafsrepair.immutable.CorruptFileException;
import org.lafsrepair.immutable.NotEnoughSharesException;
import org.lafsrepair.immutable.ShareCandidate;
import org.lafsrepair.immutable.ShareFailure;
import org.lafsrepair.internal.share.ShareSource;
import org.lafsrepair.mutable.MutableDownloader;
import org.lafsrepair.mutable.MutableFileKeys;
import org.lafsrepair.mutable.UnrecoverableVersionException;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads files from a {@link Grid}: read cap (or write cap) in, verified plaintext out. Every
 * segment is verified before a byte of it is written; shares that fail are skipped (others are
 * tried) and logged (the checker, not the reader, decides what is corrupt). Thread-safe.
 */
public final class Downloader {
  private static final Logger log = LoggerFactory.getLogger(Downloader.class);

  private final Grid grid;

  public Downloader(Grid grid) {
    this.grid = Objects.requireNonNull(grid, "grid");
  }

  /**
   * Writes the plaintext of {@code cap}'s file to {@code out}.
   *
   * @throws DownloadException if the cap cannot read (a verify cap), fewer than k good shares
   *     exist ({@link DownloadException#unrecoverable()}), or the shares do not form the file
   * @throws IOException if writing to {@code out} fails
   */
  public void download(Cap cap, OutputStream out) throws DownloadException, IOException {
    Cap inner = cap;
    while (inner instanceof DirectoryCap d) {
      inner = d.inner();
    }
    if (inner instanceof LiteralCap lit) {
      out.write(lit.data().toByteArray());
      return;
    }
    if (inner instanceof ChkReadCap chk) {
      downloadChk(chk, out);
      return;
    }
    if (inner instanceof MutableReadCap || inner instanceof MutableWriteCap) {
      MutableFileKeys keys = MutableFileKeys.of(inner);
      try {
        MutableDownloader.download(keys, Grid.permute(grid.servers(), keys.storageIndex()), out);
      } catch (UnrecoverableVersionException e) {
        throw new DownloadException(e.getMessage(), true, e);
      }
      return;
    }
    throw new DownloadException(cap.kind() + " cap cannot read the file (a read or write cap is needed)", false);
  }

  private void downloadChk(ChkReadCap cap, OutputStream out) throws DownloadException, IOException {
    StorageIndex si = cap.index();
    List<StorageServer> permuted = Grid.permute(grid.servers(), si);
    List<List<ShareCandidate>> perServer = new ArrayList<>();
    for (StorageServer s : permuted) {
      List<ShareInfo> shares;
      try {
        shares = s.listShares(si);
      } catch (StorageException | RuntimeException e) {
        log.info("download of {}: {} unavailable: {}", si, s.location(), e.toString());
        continue;
      }
      List<ShareCandidate> held = new ArrayList<>();
      for (ShareInfo info : shares) {
        if (info.kind() == ShareKind.IMMUTABLE) {
          held.add(new ShareCandidate(info.shareNumber(), ShareSource.of(s, si, info.shareNumber()),
              s.id().toBase32()));
        }
      }
      perServer.add(held);
    }
    List<ShareCandidate> candidates = ShareCandidate.spreadAcrossServers(perServer);
    try {
      ChkDownloader.Result r = ChkDownloader.download(cap, candidates, out);
      for (ShareFailure f : r.failures()) {
        log.info("download of {}: {} unusable: {}", si, f.candidate(), f.reason());
      }
    } catch (NotEnoughSharesException e) {
      throw new DownloadException(e.getMessage(), true, e);
    } catch (CorruptFileException e) {
      throw new DownloadException(e.getMessage(), true, e);
    }
  }
}
