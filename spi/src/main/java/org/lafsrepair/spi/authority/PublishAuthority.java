package org.lafsrepair.spi.authority;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.lafsrepair.spi.MutableSharePublication;
import org.lafsrepair.spi.PublicationResult;
import org.lafsrepair.spi.PublishRefusedException;
import org.lafsrepair.spi.PublishRefusedException.Reason;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerRebind;

/**
 * The server side of publish authority (docs/publish-authority.md), shared by every backend so
 * they all decide alike. A backend calls {@link #decidePublish} or {@link #checkRebind} while
 * holding its lock on the slot, and applies the result only if no exception was thrown.
 * Stateless and thread-safe.
 */
public final class PublishAuthority {
  /**
   * The write enabler a backend records for a slot created through publish authority: all zeros,
   * which {@link #enablerMatches} never matches, so no one writes with an enabler until the writer
   * rebinds. (A real enabler is a SHA-256d output; all zeros does not occur.)
   */
  public static final byte[] UNBOUND_ENABLER = new byte[WriteEnabler.LENGTH];

  private PublishAuthority() {}

  /** What the backend must do with an accepted publication. */
  public record Decision(PublicationResult result, byte[] enablerToRecord) {
    public Decision {
      Objects.requireNonNull(result, "result");
      enablerToRecord = enablerToRecord == null ? null : enablerToRecord.clone();
    }

    /** Whether the backend must write (false only for an identical retry). */
    public boolean write() {
      return result != PublicationResult.ALREADY_PRESENT;
    }

    /** The enabler to store with a newly created share (copy). */
    @Override
    public byte[] enablerToRecord() {
      return enablerToRecord == null ? null : enablerToRecord.clone();
    }
  }

  /**
   * Constant-time check of a presented write enabler against a stored one, treating {@link
   * #UNBOUND_ENABLER} as matching nothing. Backends with publish authority use this in {@code
   * testAndWrite}.
   */
  public static boolean enablerMatches(WriteEnabler presented, byte[] stored) {
    boolean unbound = stored != null && java.security.MessageDigest.isEqual(stored, UNBOUND_ENABLER);
    return presented.matches(stored) && !unbound;
  }

  /**
   * Decides whether to store {@code publication} in {@code slot}. Checks, in order: the bytes are
   * a well-formed share exactly EOF long; its signature verifies under its own key; every validly
   * signed share already in the slot has that same key; no valid share in the slot is newer; no
   * valid share has a different root at the same seqnum; and a same-version share already at that
   * number is replaced only if {@code integrity} finds it broken and the offered one intact.
   *
   * @param existingEnabler the enabler recorded for the slot's shares, or null if it has none
   *     (then a created share records {@link #UNBOUND_ENABLER})
   * @throws PublishRefusedException with the reason, if refused
   */
  public static Decision decidePublish(
      MutableSharePublication publication, SlotView slot, byte[] existingEnabler,
      MutableShareIntegrity integrity) throws StorageException {
    ByteBuffer offered = publication.share();
    SignedShareHeader header = SignedShareHeader.parse(offered);
    if (header == null) {
      throw new PublishRefusedException(Reason.MALFORMED, "not a well-formed mutable share");
    }
    if (header.eof() != publication.length()) {
      throw new PublishRefusedException(Reason.MALFORMED, "share is " + publication.length()
          + " bytes but its EOF offset is " + header.eof());
    }
    if (!header.signatureValid()) {
      throw new PublishRefusedException(Reason.BAD_SIGNATURE,
          "signature does not verify under the share's own RSA-2048 key");
    }
    if (!integrity.intact(publication.storageIndex(), publication.shareNumber(), offered)) {
      throw new PublishRefusedException(Reason.CORRUPT, "offered share fails the integrity check");
    }
    Map<ShareNumber, SignedShareHeader> valid = validShares(slot);
    for (Map.Entry<ShareNumber, SignedShareHeader> e : valid.entrySet()) {
      SignedShareHeader h = e.getValue();
      if (!h.sameKey(header)) {
        throw new PublishRefusedException(Reason.KEY_MISMATCH,
            "slot is bound to another verification key (held by " + e.getKey() + ")");
      }
      if (h.seqnum() > header.seqnum()) {
        throw new PublishRefusedException(Reason.ROLLBACK,
            "slot holds seqnum " + h.seqnum() + " (" + e.getKey() + "), offered "
                + header.seqnum());
      }
      if (h.seqnum() == header.seqnum() && !h.sameVersion(header)) {
        throw new PublishRefusedException(Reason.CONFLICT,
            "slot holds another version at seqnum " + h.seqnum());
      }
    }
    ShareNumber shnum = publication.shareNumber();
    boolean fresh = slot.shares().isEmpty();
    if (slot.shares().contains(shnum)) {
      long length = slot.length(shnum);
      if (length == publication.length()
          && slot.read(shnum, 0, publication.length()).equals(offered)) {
        return new Decision(PublicationResult.ALREADY_PRESENT, null);
      }
      SignedShareHeader old = valid.get(shnum);
      if (old != null && old.sameVersion(header)) {
        if (length > Integer.MAX_VALUE
            || integrity.intact(publication.storageIndex(), shnum,
                slot.read(shnum, 0, (int) Math.min(length, Integer.MAX_VALUE)))) {
          throw new PublishRefusedException(Reason.CONFLICT,
              "an intact share of the same version is already stored at " + shnum);
        }
      }
    }
    byte[] enabler = existingEnabler != null ? existingEnabler : UNBOUND_ENABLER;
    return new Decision(fresh ? PublicationResult.CREATED_SLOT : PublicationResult.WRITTEN,
        enabler);
  }

  /**
   * Checks a rebind: it names this server, the slot has validly signed shares all under one key,
   * the message's seqnum is the newest the slot holds, and the signature verifies under that key.
   *
   * @throws PublishRefusedException with the reason, if refused
   */
  public static void checkRebind(WriteEnablerRebind rebind, ServerId self, SlotView slot)
      throws StorageException {
    if (!rebind.server().equals(self)) {
      throw new PublishRefusedException(Reason.STALE, "rebind is for server " + rebind.server());
    }
    Map<ShareNumber, SignedShareHeader> valid = validShares(slot);
    if (valid.isEmpty()) {
      throw new PublishRefusedException(Reason.NO_SLOT,
          "no validly signed share of " + rebind.storageIndex());
    }
    SignedShareHeader any = valid.values().iterator().next();
    long newest = Long.MIN_VALUE;
    for (SignedShareHeader h : valid.values()) {
      if (!h.sameKey(any)) {
        throw new PublishRefusedException(Reason.KEY_MISMATCH,
            "slot holds shares under different keys");
      }
      newest = Math.max(newest, h.seqnum());
    }
    if (rebind.seqnum() != newest) {
      throw new PublishRefusedException(Reason.STALE,
          "rebind names seqnum " + rebind.seqnum() + ", the slot holds " + newest);
    }
    if (!SignedShareHeader.verify(any.verificationKey(), rebind.signedMessage(),
        rebind.signature())) {
      throw new PublishRefusedException(Reason.BAD_SIGNATURE,
          "rebind is not signed by the slot's key");
    }
  }

  private static Map<ShareNumber, SignedShareHeader> validShares(SlotView slot)
      throws StorageException {
    Map<ShareNumber, SignedShareHeader> out = new HashMap<>();
    for (ShareNumber sh : slot.shares()) {
      SignedShareHeader h = SignedShareHeader.read((offset, length) -> slot.read(sh, offset, length));
      if (h != null && h.signatureValid()) {
        out.put(sh, h);
      }
    }
    return out;
  }
}
