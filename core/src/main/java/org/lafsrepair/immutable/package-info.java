/**
 * Immutable (CHK) files, byte-compatible with Tahoe-LAFS (tahoe-formats.md §4–§6).
 *
 * <p>Entry points, all stateless or single-use and documented on their classes:
 *
 * <ul>
 *   <li>{@link org.lafsrepair.immutable.ChkEncoder}: plaintext → read cap + N shares written into
 *       {@code ShareSink}s ({@code prepare} gives the storage index and exact share length to
 *       allocate; {@code writeShares} streams the bytes). Literal caps for ≤ 55 bytes.
 *   <li>{@link org.lafsrepair.immutable.ChkVerifier}: verify cap + one share → {@link
 *       org.lafsrepair.immutable.ShareVerdict} (good, corrupt with {@link
 *       org.lafsrepair.immutable.ShareProblem}s, or incompatible).
 *   <li>{@link org.lafsrepair.immutable.ChkDownloader}: read cap + {@link
 *       org.lafsrepair.immutable.ShareCandidate}s → plaintext on an {@code OutputStream}, verified
 *       segment by segment before it is written.
 *   <li>{@link org.lafsrepair.immutable.ChkRebuilder}: verify cap + ≥ k good candidates → the
 *       exact bytes of any wanted shares, for the repairer.
 * </ul>
 *
 * <p>Formats: {@link org.lafsrepair.immutable.ChkGeometry} (sizes), {@link
 * org.lafsrepair.immutable.ShareLayout} (header, v1/v2), {@link
 * org.lafsrepair.immutable.UriExtension} (UEB).
 */
package org.lafsrepair.immutable;
