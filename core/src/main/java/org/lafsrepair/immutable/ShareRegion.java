package org.lafsrepair.immutable;

/** The regions of an immutable share's data, for reporting where a problem is. */
public enum ShareRegion {
  /** Version, informational sizes and the offset table. */
  HEADER,
  /** Block data. */
  BLOCK,
  /** The reserved plaintext hash tree region (must be zeros). */
  PLAINTEXT_HASH_TREE,
  /** The crypttext hash tree (every share stores the whole tree). */
  CRYPTTEXT_HASH_TREE,
  /** This share's block hash tree. */
  BLOCK_HASH_TREE,
  /** This share's chain in the share hash tree. */
  SHARE_HASH_CHAIN,
  /** The URI extension block and its length field. */
  URI_EXTENSION,
  /** The share's length: truncated, or bytes after the UEB. */
  LENGTH
}
