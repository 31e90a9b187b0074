package org.lafsrepair.spi;

/** Optional abilities a {@link StorageServer} may have beyond the required contract. */
public enum Capability {
  /** {@link StorageServer#replaceImmutable}: atomically replace an existing (corrupt) immutable share. */
  REPLACE_IMMUTABLE,
  /** {@link StorageServer#deleteShare}: remove a share. */
  DELETE_SHARE,
  /** {@link StorageServer#addLease}: add or renew leases. */
  LEASES,
  /**
   * {@link StorageServer#publishMutableShare} and {@link StorageServer#rebindWriteEnabler}: accept
   * a signed mutable share from a holder of only the verify cap (docs/publish-authority.md).
   */
  PUBLISH_AUTHORITY
}
