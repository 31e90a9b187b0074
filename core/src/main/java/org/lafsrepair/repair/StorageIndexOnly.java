package org.lafsrepair.repair;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.cap.ImmutableBytes;
import org.lafsrepair.immutable.ShareFormatException;
import org.lafsrepair.immutable.ShareLayout;
import org.lafsrepair.immutable.ShareRegion;
import org.lafsrepair.immutable.UriExtension;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;

/**
 * Storage-index-only mode: no cap binds the shares to a file, so the shares themselves must
 * say what the file is. For an immutable file every share carries the UEB; the UEB found on the
 * most shares is taken as the file's (its hash becomes a provisional verify cap), and every share
 * is then verified against it exactly as with a real cap. What cannot be known is whether that
 * UEB is the one the file's owner uploaded: a report in this mode says so.
 */
final class StorageIndexOnly {
  private StorageIndexOnly() {}

  static final String NOTE =
      "storage-index-only: no verify cap, so nothing binds these shares to the file its owner "
          + "uploaded; shares were verified against the UEB (immutable) or public key (mutable) "
          + "that most of them carry";

  static FileJob job(ImmutableEngine.Settings settings, ImmutableEngine engine,
      ServerCalls mutableQueries, StorageIndex si) throws RepairException, InterruptedException {
    List<ShareLocator.Answer> answers = engine.locator().locate(settings.servers(), si);
    boolean anyMutable = false;
    Map<UriExtension, Integer> votes = new HashMap<>();
    List<String> unreadable = new ArrayList<>();
    for (ShareLocator.Answer a : answers) {
      for (ShareInfo info : a.shares()) {
        if (info.kind() == ShareKind.MUTABLE) {
          anyMutable = true;
          continue;
        }
        try {
          votes.merge(readUeb(a.server(), si, info), 1, Integer::sum);
        } catch (ShareFormatException | StorageException | RuntimeException e) {
          unreadable.add(info.shareNumber() + " on " + a.server().id() + ": " + e.getMessage());
        }
      }
    }
    if (anyMutable && votes.isEmpty()) {
      return MutableSupport.storageIndexOnlyJob(settings, mutableQueries, si, answers);
    }
    if (votes.isEmpty()) {
      throw new RepairException("no readable shares for storage index " + si
          + (unreadable.isEmpty() ? "" : " (" + String.join("; ", unreadable) + ")"));
    }
    UriExtension best = null;
    int bestVotes = -1;
    for (Map.Entry<UriExtension, Integer> e : votes.entrySet()) {
      if (e.getValue() > bestVotes
          || (e.getValue() == bestVotes && java.util.Arrays.compareUnsigned(e.getKey().hash(), best.hash()) < 0)) {
        best = e.getKey();
        bestVotes = e.getValue();
      }
    }
    ChkVerifyCap cap;
    try {
      cap = new ChkVerifyCap(si, ImmutableBytes.copyOf(best.hash()),
          (int) number(best, "needed_shares"), (int) number(best, "total_shares"), number(best, "size"));
    } catch (IllegalArgumentException | ShareFormatException e) {
      throw new RepairException("the UEB on most shares of " + si + " is unusable: " + e.getMessage());
    }
    List<String> notes = new ArrayList<>();
    notes.add(NOTE);
    if (votes.size() > 1) {
      notes.add("shares carry " + votes.size() + " different UEBs; used the one on " + bestVotes + " shares");
    }
    notes.add("provisional verify cap: " + cap);
    return new ImmutableJob(engine, si, ChkFormat.of(cap), CheckResult.Mode.STORAGE_INDEX_ONLY, notes,
        settings);
  }

  private static UriExtension readUeb(StorageServer server, StorageIndex si, ShareInfo info)
      throws StorageException, ShareFormatException {
    ByteBuffer header = server.read(si, info.shareNumber(), 0, ShareLayout.MAX_HEADER_SIZE);
    ShareLayout layout = ShareLayout.parse(header);
    int lenSize = layout.uebLengthFieldSize();
    ByteBuffer lenBuf = server.read(si, info.shareNumber(), layout.uriExtensionOffset(), lenSize);
    if (lenBuf.remaining() < lenSize) {
      throw new ShareFormatException(ShareRegion.URI_EXTENSION, "share truncated before the UEB length", false);
    }
    long len = lenSize == 4 ? Integer.toUnsignedLong(lenBuf.getInt()) : lenBuf.getLong();
    if (len < 0 || len > UriExtension.MAX_LENGTH) {
      throw new ShareFormatException(ShareRegion.URI_EXTENSION, "UEB length " + len + " out of range", false);
    }
    ByteBuffer ueb = server.read(si, info.shareNumber(), layout.uebOffset(), (int) len);
    if (ueb.remaining() != len) {
      throw new ShareFormatException(ShareRegion.URI_EXTENSION, "share truncated inside the UEB", false);
    }
    byte[] bytes = new byte[(int) len];
    ueb.get(bytes);
    return UriExtension.parse(bytes);
  }

  private static long number(UriExtension ueb, String key) throws ShareFormatException {
    byte[] v = ueb.field(key).orElseThrow(() -> new ShareFormatException(ShareRegion.URI_EXTENSION, "UEB lacks " + key, false));
    String s = new String(v, StandardCharsets.US_ASCII);
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(Character::isDigit)) {
      throw new ShareFormatException(ShareRegion.URI_EXTENSION, "UEB " + key + " is not a number", false);
    }
    return Long.parseLong(s);
  }
}
