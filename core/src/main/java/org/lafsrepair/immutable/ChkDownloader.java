package org.lafsrepair.immutable;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.lafsrepair.cap.ChkReadCap;
import org.lafsrepair.internal.crypto.AesCtr;

/**
 * Reads a CHK file: read cap + candidate shares → plaintext (tahoe-formats.md §4). Uses k distinct
 * shares (primary shares first, then in the caller's order, so callers list shares on their
 * preferred servers first), checks each share's metadata like the verifier and each block before
 * use, decodes, checks each segment against the crypttext hash tree (whose root the UEB, and so
 * the cap, commits to), decrypts, and only then writes the segment. A correct segment proves the
 * blocks it came from (decoding is a bijection for fixed share numbers), so block hashes are
 * computed only to find the culprit when a segment fails; that share is then replaced by the next
 * candidate. Like Tahoe's downloader, the UEB's flat {@code crypttext_hash} is not recomputed: it
 * binds the same bytes the crypttext tree already binds, and costs a full extra hash pass.
 *
 * <p>Memory is O(segment size); never O(file). Stateless and thread-safe.
 */
public final class ChkDownloader {
  private ChkDownloader() {}

  /**
   * A finished download: bytes written, and the candidates that turned out unusable (corrupt,
   * incompatible or unreadable) on the way; report those as corruption advisories.
   */
  public record Result(long size, List<ShareFailure> failures) {
    public Result {
      failures = List.copyOf(failures);
    }
  }

  /**
   * Writes the plaintext of {@code cap}'s file to {@code out}.
   *
   * @throws NotEnoughSharesException if fewer than k good shares can be read (nothing more is
   *     written; what was written is verified plaintext)
   * @throws CorruptFileException if shares that match their own hash trees do not decode to the
   *     file's ciphertext (a faulty uploader)
   * @throws IOException if writing to {@code out} fails
   */
  public static Result download(ChkReadCap cap, List<ShareCandidate> candidates, OutputStream out)
      throws NotEnoughSharesException, CorruptFileException, IOException {
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(out, "out");
    SegmentFetcher f = new SegmentFetcher(
        cap.uebHash().toByteArray(), cap.k(), cap.n(), cap.size(), List.copyOf(candidates));
    f.start();
    ChkGeometry g = f.geometry();
    int k = g.k();
    byte[][] primary = new byte[k][g.blockSize()];
    byte[] plain = new byte[g.segmentSize()];
    AesCtr.Stream aes = AesCtr.streamAt(cap.key().toByteArray(), 0);
    long written = 0;
    for (int s = 0; s < g.numSegments(); s++) {
      f.fetch(s, primary);
      int blen = g.blockSize(s);
      int dataLen = g.segmentDataSize(s);
      for (int j = 0; j < k; j++) {
        int dl = Math.max(0, Math.min(blen, dataLen - j * blen));
        if (dl > 0) {
          aes.apply(primary[j], 0, dl, plain, j * blen);
        }
      }
      out.write(plain, 0, dataLen);
      written += dataLen;
    }
    return new Result(written, f.failures());
  }
}
