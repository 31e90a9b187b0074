package org.lafsrepair.spi;

import java.nio.ByteBuffer;

/**
 * An immutable share being uploaded (Tahoe's bucket writer). Nothing is visible to readers until
 * {@link #commit()} returns; {@link #abort()} (or {@link #close()} before commit) leaves nothing
 * behind. Writes may arrive in any order; overlapping writes must carry identical bytes, so a
 * retried write is harmless. As in Tahoe, commit does not require every byte to have been
 * written: ranges never written read as zeros (callers verify what they read). Not required to be
 * safe for concurrent use by several threads.
 *
 * <p>State rules every backend follows (the TCK checks them): writes and commit after {@link
 * #abort()} fail with {@link ShareConflictException}; writes after commit fail with {@link
 * ShareConflictException}; a second {@code commit()} is a no-op; {@code abort()} after commit
 * fails with {@link ShareConflictException} and leaves the share in place; after a {@code commit()}
 * that failed, {@code abort()} and {@code close()} succeed and leave nothing behind.
 */
public interface ImmutableUpload extends AutoCloseable {
  /** Share number being written. */
  ShareNumber shareNumber();

  /** Size fixed at allocation; writes past it fail with {@link ShareConflictException}. */
  long allocatedSize();

  /**
   * Writes {@code data}'s remaining bytes at {@code offset} of the share data.
   *
   * @throws InvalidRequestException for a negative offset
   * @throws ShareConflictException if the range ends past {@link #allocatedSize()}, differs from
   *     bytes already written there, or the upload is finished
   */
  void write(long offset, ByteBuffer data) throws StorageException;

  /**
   * Makes the share durable and visible atomically. After it returns, a crash cannot lose the
   * share; before it, a crash leaves no visible share.
   *
   * @throws ShareConflictException if a share (of either kind) exists under this share number by
   *     now, because it appeared after {@link StorageServer#allocate} or because the backend leaves
   *     that check to the commit: the existing share is left as it was and nothing of this upload
   *     becomes visible. Callers still {@link #abort()} or {@link #close()} the upload.
   */
  void commit() throws StorageException;

  /** Discards the upload; idempotent. */
  void abort() throws StorageException;

  /** Aborts unless committed. */
  @Override
  void close() throws StorageException;
}
