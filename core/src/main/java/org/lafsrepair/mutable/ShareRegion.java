package org.lafsrepair.mutable;

/** Where in a mutable share a defect was found; used in verdicts and exceptions. */
public enum ShareRegion {
  /** The version byte is not one we know (Tahoe calls such a share "incompatible"). */
  VERSION,
  /** Signed prefix fields, offsets table, or a layout that does not fit the parameters. */
  HEADER,
  /** The share ends before a region the header promises. */
  TRUNCATED,
  VERIFICATION_KEY,
  SIGNATURE,
  SHARE_HASH_CHAIN,
  BLOCK_HASH_TREE,
  /** A block, or (MDMF) the salt stored in front of it: both feed the same block-tree leaf. */
  SHARE_DATA,
  ENC_PRIVKEY,
  /** MDMF's reserved gap between the verification key and the share data must be zeros. */
  RESERVED_GAP
}
